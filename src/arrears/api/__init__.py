"""The REST API, version 1, under /api/v1/ (Issue 16): the NinjaAPI, its authentication, error shape and the
endpoints' routers (`arrears.api.site`)."""
