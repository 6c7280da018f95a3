// A mapping made with NdisMMapIoSpace that a later return of the same
// function leaves mapped: the function-local check a semantic-patch user
// would write, in the shape of Linux's scripts/coccinelle/free/iounmap.cocci
// (a success test on the call, then a return reached with no unmap). The
// speed bench runs it as the baseline a driver team could already use.
@map_without_unmap exists@
expression status, va, handle, pa, len;
statement S;
position p1, p2;
@@

status = NdisMMapIoSpace@p1(&va, handle, pa, len);
... when != NdisMUnmapIoSpace(handle, va, len)
if (<+...status...+>) S
... when any
    when != NdisMUnmapIoSpace(handle, va, len)
    when != if (...) { ... NdisMUnmapIoSpace(handle, va, len); ... }
(
if (<+...status...+>) S
|
* return@p2 ...;
)
