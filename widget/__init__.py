"""pauseai-widget: embeddable protest widget, oEmbed provider and event pages.

The package is laid out one concept per module; ``widget.app.create_app`` is the entry
point for the ASGI application and ``widget.cli`` for the command line.
"""

__version__ = "0.1.0"
