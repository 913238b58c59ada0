"""Calendar feeds (Luma, Google, Meetup, Mobilize … any iCalendar URL) merged into the catalog.

The pipeline, one module per step::

    sources.yaml ──sources──▶ Source ──fetch──▶ bytes ──parse──▶ FeedEvent ...
                                                  │                  │
                                       state (last good copy)        ▼
    event files ──widget.store──▶ Catalog ──────────────────────▶ merge ──▶ served Catalog

``sync`` runs the loop in the background: it fetches every source on its own schedule,
keeps the last good copy of each (``state``), and asks ``widget.reloader.DataSource`` to
rebuild the served catalog when a feed's events change. A feed that fails keeps its last
good events; its error shows on ``/healthz``. Nothing here runs inside a request.
"""
