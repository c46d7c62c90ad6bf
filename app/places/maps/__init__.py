"""Maps of Europe drawn on the server as SVG: the country outlines (``europe.json``, built
from Natural Earth by ``build.py``), the projection that places share with them
(``projection.py``), what a page's map shows (``render.py``) and the places it shows
(``points.py``)."""
