"""The GraphQL layer: schema, context, loaders, types, extensions."""
