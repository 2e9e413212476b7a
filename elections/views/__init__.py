"""Public views: pages (`pages`), the JSON API (`api`), open-data exports (`exports`), health."""
