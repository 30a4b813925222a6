"""The door: every file read, request and process start of the library is here.

Providers never open a file, a socket or a process themselves; they ask their
:class:`credchain._context.Context`, which goes through this package. The rules
live once, here: regular files only where botocore would not open the file
itself, reads capped, waits bounded, processes run in their own process group
and killed as a whole at the bound, network probes (:mod:`credchain._io.http`)
bounded as a whole, with their sockets and sessions closed when the inspection ends.
"""
