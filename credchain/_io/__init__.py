"""The door: every file read, network request and process start of credchain lives behind it.

Providers never open a file, a socket or a process themselves; they ask their
:class:`~credchain._context.Context`, which hands the work to a module here
(:mod:`credchain._io.http` for the instance metadata and container endpoints),
so each rule about bounds, side effects and secrets is written once.
"""
