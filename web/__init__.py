"""The analysts' web app: browse, search and correct stored items, watch sources, manage
subscribers and deliveries, subscribe by Atom feed, export (``ieiwatch web``)."""
