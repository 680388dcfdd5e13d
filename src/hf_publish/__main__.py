from hf_publish.cli import main

raise SystemExit(main())
