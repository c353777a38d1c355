"""Map layers, one module per layer type; each adds itself to a ``folium.Map``.

Every layer takes data in the working CRS and a :class:`maps.coords.Projector` that converts
to the display coordinates (WGS-84 or GCJ-02), and a :class:`maps.i18n.Translator` for labels;
layers that print plan times take a :class:`maps.sheets.times.PlanClock` too.
"""
