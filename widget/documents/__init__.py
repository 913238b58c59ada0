"""The documents the routes answer with, each built from the catalog and the request's options.

``routes/`` does HTTP (parameters, caching, headers); each module here builds one kind of
document and knows nothing of requests: the widget view (``widget_view``, ``upcoming_view``,
``banner_view``, ``world_map``, ``location_span``), its height estimate (``widget_height``),
the oEmbed answer (``oembed``), the event page's parts (``structured_data``,
``city_actions``), the calendar (``event_calendar``), the card image (``card_image``), the
public JSON (``public_data``), and the index, sitemap and feeds (``events_index``,
``site_feeds``).
"""
