"""Outbound HTTP: the one client for everything API Dock fetches from other services.

`guard` decides whether a URL may be reached (http or https only; its host resolved once and
refused if any address is loopback, private, link-local, CGNAT, multicast, unspecified, reserved
or a cloud metadata address, in any spelling, unless its `host:port` is allow-listed); `client`
sends to the checked address only (`pinning`), follows redirects only when asked and checks each
hop again, reads no proxy or other setting from the environment, and caps the connect time, the
whole exchange and the body (`decoding` keeps a compressed body under the cap too). Pure: no
web framework, no database.
"""
