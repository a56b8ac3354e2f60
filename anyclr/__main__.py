from anyclr.cli import main

main()
