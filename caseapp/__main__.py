from caseapp.cli.main import main

raise SystemExit(main())
