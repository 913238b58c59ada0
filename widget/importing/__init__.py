"""The page importer: a PauseAI protest page (Markdown) → an event file.

Used only by the command line (``pauseai-widget import``, ``widget/cli.py``): the service
never reads a page. ``importer`` turns a page into an event; ``page_reader`` finds its
blocks, ``city_lists`` and ``page_locations`` its list of cities, ``page_places`` one
city line, ``page_dates`` dates and times in ten languages, ``embedded_media`` the page's
video or post; ``import_command`` is the command itself.
"""
