from morgue.cli import main

raise SystemExit(main())
