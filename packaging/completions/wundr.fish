complete --keep-order --exclusive --command wundr --arguments "(WUNDR_COMPLETE=fish wundr -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
