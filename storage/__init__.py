"""Storage: SQLModel tables and the queries the flows need, on SQLite or PostgreSQL."""
