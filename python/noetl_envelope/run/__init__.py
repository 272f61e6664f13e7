"""Running over many documents: reading inputs (`reader`), checking them in input order in
constant memory (`bulk`), and the forked worker pool behind `--jobs` (`forkpool`)."""
