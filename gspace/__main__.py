from gspace.cli import main

main()
