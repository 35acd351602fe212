# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_wundr_global_optspecs
    string join \n socket= h/help V/version
end

function __fish_wundr_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_wundr_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_wundr_using_subcommand
    set -l cmd (__fish_wundr_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c wundr -n "__fish_wundr_needs_command" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_needs_command" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_needs_command" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_needs_command" -f -a "orchestrator" -d 'Start, stop and inspect the orchestrator daemon and its agent sessions'
complete -c wundr -n "__fish_wundr_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c wundr -n "__fish_wundr_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "start" -d 'Start the daemon in the background (or in this terminal with --foreground)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "status" -d 'Show whether the daemon runs, where to reach it, its sessions and subsystems'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "logs" -d 'Show the daemon log or one session\'s events (--session), or follow them'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "stop" -d 'Stop the daemon gracefully, forcing it after a timeout'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "restart" -d 'Stop the daemon if it runs, then start it'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "doctor" -d 'Check what the daemon needs: socket, config, charter, agent programs, login, port, disk'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "session" -d 'Spawn, list, inspect, steer and stop agent sessions'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "charter" -d 'Validate, show and reload the charter (what agents may do)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "config" -d 'Check the daemon\'s configuration file (and the charter it names) before using it'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "approval" -d 'List, approve and deny escalated agent actions'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "audit" -d 'List the charter decisions the daemon recorded'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "hook" -d 'Answer a Claude Code hook (run by agents\' settings; reads the hook input on stdin)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "memory" -d 'Add, search, list, forget, export and import the daemon\'s memories'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "service" -d 'Run the daemon as a user service (systemd or launchd): install, uninstall, status'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and not __fish_seen_subcommand_from start status logs stop restart doctor session charter config approval audit hook memory service help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from start" -s p -l port -d 'Port of the WebSocket and health endpoints [daemon default: 8787]' -r
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from start" -l host -d 'Address the WebSocket endpoint binds to [daemon default: 127.0.0.1]' -r
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from start" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/wundr/orchestrator.yaml]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from start" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from start" -l foreground -d 'Run the daemon in this terminal instead of in the background'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from status" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from status" -l json -d 'Print one JSON object instead of text (see README "JSON output")'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from logs" -s n -l lines -d 'How many of the most recent lines to show first [default: 50; with --session: all]' -r
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from logs" -l session -d 'Show one session\'s events instead of the daemon log: its status, then with -f everything it does until it ends' -r
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from logs" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Keep printing new lines as the daemon writes them (Ctrl+C to stop); with --session, until the session ends: exit 0 when it completed, 1 when it failed or was terminated'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from logs" -l transcript -d 'With --session: first replay what the session\'s agent printed so far'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from logs" -l json -d 'Print JSON Lines: one object per log line (time, level, target, message), or with --session one object per event'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from stop" -s t -l timeout -d 'Seconds to wait for a graceful stop before forcing it' -r
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from stop" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from stop" -s f -l force -d 'Kill the daemon at once (SIGKILL) instead of asking it to stop'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from restart" -s p -l port -d 'Port of the WebSocket and health endpoints [daemon default: 8787]' -r
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from restart" -l host -d 'Address the WebSocket endpoint binds to [daemon default: 127.0.0.1]' -r
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from restart" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/wundr/orchestrator.yaml]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from restart" -s t -l timeout -d 'Seconds to wait for the running daemon to stop before forcing it' -r
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from restart" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from restart" -l foreground -d 'Run the daemon in this terminal instead of in the background'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from restart" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from doctor" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from doctor" -l json -d 'Print the checks as JSON (camelCase keys)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from doctor" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from doctor" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -f -a "spawn" -d 'Start an agent session on a task; prints its id'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -f -a "list" -d 'List the sessions the daemon knows (all, or the newest N), oldest first'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -f -a "show" -d 'Show everything about one session'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -f -a "send" -d 'Give a session another turn (a finished claude-code session resumes its conversation)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -f -a "stop" -d 'Stop a session\'s agent (SIGTERM, then SIGKILL); it ends `terminated`'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -f -a "pause" -d 'Suspend a session\'s agent (SIGSTOP)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -f -a "unpause" -d 'Resume a paused session\'s agent (SIGCONT)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -f -a "wait" -d 'Wait until a session ends or needs a person; the exit code says which'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from session" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from charter" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from charter" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from charter" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from charter" -f -a "validate" -d 'Check a charter file (exit 0 valid, 1 invalid); no daemon needed with FILE'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from charter" -f -a "show" -d 'Show the charter the daemon enforces'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from charter" -f -a "reload" -d 'Re-read the charter file (as SIGHUP does); a bad file keeps the previous charter'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from charter" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from config" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from config" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from config" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from config" -f -a "validate" -d 'Check the configuration (and the charter it names) as the daemon would load it'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from config" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from approval" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from approval" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from approval" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from approval" -f -a "list" -d 'List the agent actions and questions waiting for a person'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from approval" -f -a "approve" -d 'Let a waiting action proceed'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from approval" -f -a "deny" -d 'Refuse a waiting action (the agent is told the reason)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from approval" -f -a "answer" -d 'Answer an agent\'s question with text'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from approval" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from audit" -l session -d 'Only this session\'s decisions' -r
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from audit" -l limit -d 'At most this many (the newest)' -r
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from audit" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from audit" -l json -d 'Print JSON'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from audit" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from audit" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from hook" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from hook" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from hook" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -f -a "add" -d 'Remember a text in the episodic or semantic tier; prints its id'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -f -a "search" -d 'Find the memories that best match a query (BM25 weighted by recency)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -f -a "list" -d 'Show the newest memories'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -f -a "forget" -d 'Delete one memory by id'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -f -a "stats" -d 'Count the memories in each tier'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -f -a "export" -d 'Write every memory to a JSON file'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -f -a "import" -d 'Read memories from a JSON file written by `export` (same content merges)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from memory" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from service" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from service" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from service" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from service" -f -a "install" -d 'Install the daemon as a user service (systemd or launchd), enable and start it'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from service" -f -a "uninstall" -d 'Stop, disable and remove the user service'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from service" -f -a "status" -d 'Show whether the user service is installed, enabled and running (exit 3 if not running)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from service" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start the daemon in the background (or in this terminal with --foreground)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show whether the daemon runs, where to reach it, its sessions and subsystems'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Show the daemon log or one session\'s events (--session), or follow them'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop the daemon gracefully, forcing it after a timeout'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Stop the daemon if it runs, then start it'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "doctor" -d 'Check what the daemon needs: socket, config, charter, agent programs, login, port, disk'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "session" -d 'Spawn, list, inspect, steer and stop agent sessions'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "charter" -d 'Validate, show and reload the charter (what agents may do)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "config" -d 'Check the daemon\'s configuration file (and the charter it names) before using it'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "approval" -d 'List, approve and deny escalated agent actions'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "audit" -d 'List the charter decisions the daemon recorded'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "hook" -d 'Answer a Claude Code hook (run by agents\' settings; reads the hook input on stdin)'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "memory" -d 'Add, search, list, forget, export and import the daemon\'s memories'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "service" -d 'Run the daemon as a user service (systemd or launchd): install, uninstall, status'
complete -c wundr -n "__fish_wundr_using_subcommand orchestrator; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wundr -n "__fish_wundr_using_subcommand completions" -l socket -d 'The orchestrator daemon\'s Unix socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock]' -r -F
complete -c wundr -n "__fish_wundr_using_subcommand completions" -s h -l help -d 'Print help'
complete -c wundr -n "__fish_wundr_using_subcommand completions" -s V -l version -d 'Print version'
complete -c wundr -n "__fish_wundr_using_subcommand help; and not __fish_seen_subcommand_from orchestrator completions help" -f -a "orchestrator" -d 'Start, stop and inspect the orchestrator daemon and its agent sessions'
complete -c wundr -n "__fish_wundr_using_subcommand help; and not __fish_seen_subcommand_from orchestrator completions help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c wundr -n "__fish_wundr_using_subcommand help; and not __fish_seen_subcommand_from orchestrator completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "start" -d 'Start the daemon in the background (or in this terminal with --foreground)'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "status" -d 'Show whether the daemon runs, where to reach it, its sessions and subsystems'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "logs" -d 'Show the daemon log or one session\'s events (--session), or follow them'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "stop" -d 'Stop the daemon gracefully, forcing it after a timeout'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "restart" -d 'Stop the daemon if it runs, then start it'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "doctor" -d 'Check what the daemon needs: socket, config, charter, agent programs, login, port, disk'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "session" -d 'Spawn, list, inspect, steer and stop agent sessions'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "charter" -d 'Validate, show and reload the charter (what agents may do)'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "config" -d 'Check the daemon\'s configuration file (and the charter it names) before using it'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "approval" -d 'List, approve and deny escalated agent actions'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "audit" -d 'List the charter decisions the daemon recorded'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "hook" -d 'Answer a Claude Code hook (run by agents\' settings; reads the hook input on stdin)'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "memory" -d 'Add, search, list, forget, export and import the daemon\'s memories'
complete -c wundr -n "__fish_wundr_using_subcommand help; and __fish_seen_subcommand_from orchestrator" -f -a "service" -d 'Run the daemon as a user service (systemd or launchd): install, uninstall, status'
