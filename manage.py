#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sbcard.settings")
    # A management command on an unconfigured checkout (makemigrations, makemessages, shell) runs in
    # development mode instead of failing on the missing SECRET_KEY. A configured environment has a
    # SECRET_KEY and keeps DEBUG off unless it is set; the web server and the workers never read this.
    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
