"""The word lists that synthetic places and practices are made of, on the themes of the
real vocabularies."""

from __future__ import annotations

from dataclasses import dataclass

# ISO code: (relative number of places, migration history, approximate latitude, longitude)
COUNTRIES: dict[str, tuple[float, str, float, float]] = {
    "DE": (12, "long-standing", 51.2, 10.4),
    "FR": (10, "long-standing", 46.6, 2.4),
    "GB": (10, "long-standing", 53.0, -1.8),
    "IT": (9, "new", 42.8, 12.6),
    "ES": (8, "new", 40.3, -3.7),
    "PL": (6, "low", 52.0, 19.4),
    "NL": (5, "long-standing", 52.2, 5.5),
    "RO": (4, "low", 45.9, 24.9),
    "BE": (4, "long-standing", 50.6, 4.6),
    "SE": (4, "long-standing", 60.1, 15.6),
    "PT": (3, "new", 39.6, -8.0),
    "GR": (3, "new", 39.1, 22.0),
    "CZ": (3, "low", 49.8, 15.5),
    "HU": (3, "low", 47.2, 19.5),
    "AT": (3, "long-standing", 47.6, 14.1),
    "DK": (2, "long-standing", 56.0, 9.5),
    "FI": (2, "new", 62.5, 25.7),
    "NO": (2, "long-standing", 61.0, 9.0),
    "IE": (2, "new", 53.2, -8.0),
    "SK": (2, "low", 48.7, 19.7),
    "BG": (2, "low", 42.7, 25.3),
    "HR": (2, "low", 45.2, 15.7),
    "SI": (1, "low", 46.1, 14.8),
    "LT": (1, "low", 55.3, 23.9),
    "EE": (1, "low", 58.7, 25.5),
}


# place-level code: (share of places, median population, spread, minimum, maximum, authority)
LEVELS: dict[str, tuple[float, float, float, int, int, str]] = {
    "municipality": (0.78, 45_000, 1.1, 5_000, 3_000_000, "council"),
    "county": (0.07, 250_000, 0.6, 40_000, 2_000_000, "county council"),
    "region": (0.06, 1_800_000, 0.7, 250_000, 13_000_000, "regional government"),
    "city-region": (0.03, 1_500_000, 0.5, 400_000, 6_000_000, "combined authority"),
    "neighbourhood": (0.06, 14_000, 0.6, 2_000, 90_000, "neighbourhood council"),
}


# Syllables of made-up names; the common consonants appear twice, to be drawn more often.
ONSETS = (
    *("b", "br", "d", "dr", "f", "fl", "g", "gr", "h", "k", "kl", "l", "m", "n", "p", "pr"),
    *("r", "s", "st", "t", "tr", "v", "w", "z", "ch", "sh"),
    *("l", "m", "n", "r", "s", "t", "v", "b", "d"),
)

VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou")

CODAS = ("", "", "", "", "n", "r", "l", "s", "m", "nd", "rk", "lt")

SUFFIXES = ("burg", "ton", "ville", "dorf", "stad", "ova", "ia", "ano", "heim", "by", "ford")

NEIGHBOURHOOD_WORDS = ("Quarter", "Park", "Heights", "Green", "North", "South", "East")


ARRIVAL_GROUPS = (
    "refugees from Syria",
    "refugees from Ukraine",
    "migrant workers from Eastern Europe",
    "students from abroad",
    "families from North Africa",
    "seasonal agricultural workers",
    "asylum seekers from Afghanistan",
    "Roma families",
    "returning emigrants",
    "people from West Africa",
)


# Noun phrases per activity type, with their article; unknown codes fall back to the label.
ACTIVITIES: dict[str, tuple[str, ...]] = {
    "press-releases": ("a series of press briefings", "a media briefing programme"),
    "information-campaigns": ("an information campaign", "a poster campaign"),
    "information-about-migrants": ("a myth-busting campaign", "a facts-about-migration campaign"),
    "information-for-migrants": ("a newcomer information campaign", "know-your-rights leaflets"),
    "web-presence": ("a community website", "an online directory of groups"),
    "multimedia-strategies": ("a multimedia strategy", "a cross-media campaign"),
    "media-engagement": ("a media partnership", "a local media charter"),
    "sensitising-journalists": ("workshops for journalists", "a newsroom exchange"),
    "promoting-positive-coverage": ("a good-news stories service", "a human library"),
    "diversity-training": ("diversity training", "an unconscious bias course"),
    "intercultural-festivals": ("a street festival", "an intercultural festival", "a food fair"),
    "intercultural-spaces": ("a community house", "an open meeting space", "a shared garden"),
    "dialogue-processes": ("dialogue circles", "a residents' dialogue", "kitchen-table talks"),
    "mediation": ("a neighbourhood mediation service", "community mediators"),
    "network-development": ("a partnership network", "a forum of local groups"),
    "networks-lra-migrant-organisations": ("a migrant organisations forum",),
    "networks-between-communities": ("a twinning of community groups", "a neighbours network"),
    "neighbourhood-regeneration": ("a neighbourhood renewal programme", "an estate makeover"),
    "city-branding": ("a city brand", "a city slogan campaign"),
    "branding-integration-focus": ("an open-city brand", "a city image campaign"),
    "awards": ("community awards", "a photo contest", "a prize for local initiatives"),
    "sport": ("a football league", "a sports programme", "a running club"),
    "interfaith": ("an interfaith forum", "open days at places of worship"),
    "direct-mail": ("a letter to every household", "a mail-out to new residents"),
    "municipal-plan": ("a local action plan", "a city pact"),
    "welcome-information": ("a welcome pack", "a welcome desk", "an orientation course"),
    "language-learning": ("conversation cafés", "language classes", "a language buddy scheme"),
    "front-line-training": ("training for front-line staff", "a counter-staff course"),
    "capacity-building": ("a capacity-building programme", "small grants for migrant groups"),
    "education": ("a school resource pack", "classroom materials", "a teachers' toolkit"),
    "strategy-coordination": ("a coordination strategy", "a cross-department task force"),
    "advisory-secondment": ("seconded community advisers", "a community liaison post"),
    "lived-experience-voice": ("a migrant advisory panel", "a residents' voice panel"),
    "specialist-services": ("an advice service", "a drop-in support service"),
    "peer-learning": ("a peer-learning exchange", "study visits"),
    "research": ("an action research project", "a residents' survey"),
}


TARGETS: dict[str, str] = {
    "migrants": "migrant residents",
    "newcomers": "newcomers",
    "refugees": "refugees",
    "asylum-seekers": "people seeking asylum",
    "migrant-women": "migrant women",
    "migrant-children": "migrant children",
    "young-people": "young people",
    "second-generation": "second-generation residents",
    "roma": "Roma families",
    "eu-migrants": "EU migrant workers",
    "nrpf": "people with no recourse to public funds",
    "third-country-nationals": "third-country nationals",
    "non-migrants": "long-standing residents",
    "hostile-residents": "sceptical residents",
    "officials": "council officers",
    "front-line-staff": "front-line staff",
    "elected-members": "councillors",
    "police": "police officers",
    "journalists": "local journalists",
    "whole-community": "all residents",
}


ISSUES = (
    "housing allocation",
    "a new reception centre",
    "parking and noise",
    "school places",
    "a local election campaign",
    "a planned place of worship",
    "a viral social-media post",
    "the use of a local park",
)


GOALS: dict[str, tuple[str, ...]] = {
    "informing-communities": (
        "to give residents accurate information about migration in {place}",
        "to answer residents' questions about new arrivals",
        "to counter rumours with facts",
        "to explain how local services work",
    ),
    "improving-interaction": (
        "to bring {target} and their neighbours together",
        "to create everyday contact between {target} and other residents",
        "to get people who rarely meet talking to each other",
    ),
    "defusing-conflict": (
        "to calm tensions after a dispute over {issue}",
        "to defuse conflict between residents over {issue}",
        "to respond quickly when tensions rise",
    ),
    "building-networks": (
        "to build lasting links between community groups",
        "to strengthen migrant-led organisations",
        "to connect volunteers, schools and services",
    ),
}


PARTNERS = (
    "a local NGO",
    "the residents' association",
    "a migrant-led organisation",
    "the public library",
    "a youth charity",
    "the local football club",
    "a university research team",
    "the regional newspaper",
    "faith groups",
    "the chamber of commerce",
)


ROLES: dict[str, tuple[str, ...]] = {
    "public-leadership": (
        "The mayor fronted the work in public.",
        "Council leaders spoke for it at every opportunity.",
    ),
    "involve-third-parties": ("The council worked with {partner} to deliver it.",),
    "delegate": ("Delivery was handed entirely to {partner}.",),
    "mediator": ("Council staff acted as mediators between the groups involved.",),
    "facilitator": ("The council's role was to help residents talk to each other.",),
    "standard-setter": ("The council set standards that its contractors and partners follow.",),
    "own-resources": ("It was paid for from the council's own budget.",),
    "channelling-resources": (
        "The council brought in European funding to pay for it.",
        "A national grant, secured by the council, paid for it.",
    ),
}


CHANNELS: dict[str, str] = {
    "print": "printed material",
    "posters": "posters",
    "leaflets": "leaflets",
    "guides": "a handbook",
    "comic-strips": "a comic strip",
    "letters": "personal letters",
    "newspaper": "the council newspaper",
    "broadcast": "broadcast slots",
    "tv": "local television",
    "radio": "community radio",
    "digital": "online channels",
    "website": "a website",
    "social-media": "social media",
    "media-relations": "the local press",
    "face-to-face-channel": "door-to-door conversations",
    "events": "public events",
    "physical-space": "a drop-in space",
    "branding": "the city's branding",
}


LIFECYCLES: dict[str, str] = {
    "planned": "It is due to start in {start}.",
    "pilot": "It started as a pilot in {start}.",
    "running": "It has been running since {start}.",
    "mainstreamed": "Started in {start}, it is now part of the council's regular services.",
    "ended": "It ran from {start} to {end}.",
    "funding-ended": "It ran from {start} until its funding ended in {end}.",
}


EVIDENCE: dict[str, tuple[str, ...]] = {
    "none": ("No evaluation has been recorded.", ""),
    "described": (
        "Organisers describe a warm response from participants.",
        "Staff report that the sessions were well attended.",
    ),
    "outputs": ("Organisers counted {n} participants at {m} events.",),
    "before-after": (
        "A survey before and after found {k} per cent more residents agreeing that people "
        "from different backgrounds get on well.",
    ),
    "independent-evaluation": (
        "An independent evaluation by a university team found lasting effects on trust.",
        "External evaluators found that participants kept in touch after it ended.",
    ),
    "comparison": (
        "Compared with a similar area, trust between residents grew more where it ran.",
    ),
}


FILLERS = (
    "Volunteers from the area helped to plan each step.",
    "Neighbours were invited to shape the programme from the start.",
    "Sessions were held in the evening so that working parents could attend.",
    "Materials were translated into the main community languages.",
    "A small team of officers coordinated the work across departments.",
    "Local shops and cafés displayed the campaign material.",
    "The project celebrates the diversity of the neighbourhood.",
    "Participants said they felt a stronger sense of belonging.",
    "Trained volunteers answered rumours and stereotypes in everyday conversations.",
    "New arrivals receive a personal welcome from a resident volunteer.",
    "Schools and youth clubs took part in the activities.",
    "The approach was later copied by two neighbouring towns.",
    "Feedback after each round led to changes in the format.",
    "Social workers referred families who had recently arrived.",
    "Costs were kept low by using existing council buildings.",
    "Elected members took part in several of the meetings.",
    "Childcare was provided so that parents could take part.",
    "Local media covered the launch.",
    "A steering group of residents meets every month.",
    "Interpreters were available at every session.",
    "Older residents and newcomers shared stories over a meal.",
    "Most of the work happens on Saturday mornings in the market square.",
    "A part-time coordinator keeps the partners in touch.",
    "The budget covers venues, refreshments and a small fee for facilitators.",
    "Sign-up is through the library, the job centre and local GPs.",
    "A short film about the project was shown at the town hall.",
    "Residents can join at any point; no registration is needed.",
    "Each session ends with a meal cooked by participants.",
    "Participants are asked what they want to do next.",
    "The format was adapted during the pandemic and moved partly online.",
    "A handful of regulars now run sessions themselves.",
    "Local employers offered work placements to participants.",
    "The council's communications team produced the materials.",
    "Organisers keep a simple log of who comes and why.",
    "Several participants went on to volunteer elsewhere in the city.",
    "The project shares an office with the youth service.",
    "A review after the first year changed the opening hours.",
    "Transport costs are refunded for those who need it.",
    "Workshops were run in small groups of eight to twelve people.",
)


BRANDS = (
    "Open Doors",
    "Hello Neighbour",
    "Side by Side",
    "Common Ground",
    "One City",
    "Many Voices",
    "Shared Table",
    "Bridges",
    "New Roots",
    "Meet Your Neighbours",
    "Stop the Rumours",
    "Living Together",
    "Our Street",
    "Welcome Here",
    "Talking Together",
    "Every Voice",
    "Good Neighbours",
    "First Steps",
    "Open Kitchen",
    "We Are Here",
)


ADJECTIVES = (
    "Neighbourhood",
    "Citywide",
    "Weekly",
    "Seasonal",
    "Mobile",
    "Volunteer-led",
    "Youth-led",
    "Pop-up",
    "Door-to-door",
    "Online",
)


# The framing words a search for "integration" finds (with its synonyms cohesion and
# inclusion), each in a few per cent of practices: most practices never use them.
FRAMED: tuple[tuple[float, tuple[str, ...]], ...] = (
    (
        0.016,
        (
            "The work is part of the council's integration strategy.",
            "Officers see it as everyday integration work rather than a campaign.",
            "It was funded from the national integration programme.",
        ),
    ),
    (
        0.008,
        (
            "Partners see it as a contribution to community cohesion.",
            "It is one strand of the local cohesion plan.",
        ),
    ),
    (
        0.008,
        (
            "Accessibility and inclusion were considered at every stage.",
            "The council describes it as part of its social inclusion agenda.",
        ),
    ),
)


LIFECYCLE_WEIGHTS = {
    "running": 40,
    "ended": 20,
    "pilot": 12,
    "mainstreamed": 12,
    "funding-ended": 10,
    "planned": 6,
}


EVIDENCE_WEIGHTS = {
    "described": 45,
    "outputs": 25,
    "none": 12,
    "before-after": 10,
    "independent-evaluation": 6,
    "comparison": 2,
}


@dataclass(frozen=True)
class Term:
    id: int
    code: str
    label: str
