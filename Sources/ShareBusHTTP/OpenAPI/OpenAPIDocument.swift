/// The OpenAPI 3.1 document of every route, served at `GET /v1/openapi.json`.
///
/// `docs/openapi.json` is the source; `scripts/embed-openapi.sh` copies it into this target.
public enum OpenAPIDocument {}
