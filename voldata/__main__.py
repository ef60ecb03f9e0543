import sys

from voldata.cli import main

sys.exit(main())
