-- POST the URL given on wrk's command line (the login route) with a JSON body, over and
-- over: each connection is a client logging in continuously.
-- Argument after `--`: the JSON body, already encoded.

function init(args)
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.body = args[1]
end
