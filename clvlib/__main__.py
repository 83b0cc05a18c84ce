import sys

from clvlib.cli import main

sys.exit(main())
