"""Contract tests, the pure core: one exchange (a request sent, the answer observed) judged
against the app's OpenAPI 3.1 document (`checks`) and against a case's declarative `expect`
(`expectations`); `{{name}}` filled in and secrets masked (`templating`); a run written as
JUnit XML (`junit`); and the requests `apidock test --spec` sends (`spec_requests`).

Nothing here sends a request, opens a database or imports an HTTP framework: the runner
(`apidock.runs`) does that and hands this package what it saw.
"""
