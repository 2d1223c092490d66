"""GraphQL output types, one module per area. Leaves are plain attributes; relations load."""
