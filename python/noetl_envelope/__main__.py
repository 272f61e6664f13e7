"""`python -m noetl_envelope`: the same CLI as the `noetl-envelope` console script."""

import sys

from noetl_envelope.cli import main

sys.exit(main())
