_wundr() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="wundr"
                ;;
            wundr,completions)
                cmd="wundr__subcmd__completions"
                ;;
            wundr,help)
                cmd="wundr__subcmd__help"
                ;;
            wundr,orchestrator)
                cmd="wundr__subcmd__orchestrator"
                ;;
            wundr__subcmd__help,completions)
                cmd="wundr__subcmd__help__subcmd__completions"
                ;;
            wundr__subcmd__help,help)
                cmd="wundr__subcmd__help__subcmd__help"
                ;;
            wundr__subcmd__help,orchestrator)
                cmd="wundr__subcmd__help__subcmd__orchestrator"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,approval)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__approval"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,audit)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__audit"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,charter)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__charter"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,config)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__config"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,doctor)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__doctor"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,hook)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__hook"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,logs)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__logs"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,memory)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__memory"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,restart)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__restart"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,service)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__service"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,session)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__session"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,start)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__start"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,status)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__status"
                ;;
            wundr__subcmd__help__subcmd__orchestrator,stop)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__stop"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__approval,answer)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__approval__subcmd__answer"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__approval,approve)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__approval__subcmd__approve"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__approval,deny)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__approval__subcmd__deny"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__approval,list)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__approval__subcmd__list"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__charter,reload)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__charter__subcmd__reload"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__charter,show)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__charter__subcmd__show"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__charter,validate)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__charter__subcmd__validate"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__config,validate)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__config__subcmd__validate"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__memory,add)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__add"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__memory,export)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__export"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__memory,forget)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__forget"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__memory,import)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__import"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__memory,list)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__list"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__memory,search)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__search"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__memory,stats)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__stats"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__service,install)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__service__subcmd__install"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__service,status)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__service__subcmd__status"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__service,uninstall)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__service__subcmd__uninstall"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__session,list)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__list"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__session,pause)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__pause"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__session,send)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__send"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__session,show)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__show"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__session,spawn)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__spawn"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__session,stop)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__stop"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__session,unpause)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__unpause"
                ;;
            wundr__subcmd__help__subcmd__orchestrator__subcmd__session,wait)
                cmd="wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__wait"
                ;;
            wundr__subcmd__orchestrator,approval)
                cmd="wundr__subcmd__orchestrator__subcmd__approval"
                ;;
            wundr__subcmd__orchestrator,audit)
                cmd="wundr__subcmd__orchestrator__subcmd__audit"
                ;;
            wundr__subcmd__orchestrator,charter)
                cmd="wundr__subcmd__orchestrator__subcmd__charter"
                ;;
            wundr__subcmd__orchestrator,config)
                cmd="wundr__subcmd__orchestrator__subcmd__config"
                ;;
            wundr__subcmd__orchestrator,doctor)
                cmd="wundr__subcmd__orchestrator__subcmd__doctor"
                ;;
            wundr__subcmd__orchestrator,help)
                cmd="wundr__subcmd__orchestrator__subcmd__help"
                ;;
            wundr__subcmd__orchestrator,hook)
                cmd="wundr__subcmd__orchestrator__subcmd__hook"
                ;;
            wundr__subcmd__orchestrator,logs)
                cmd="wundr__subcmd__orchestrator__subcmd__logs"
                ;;
            wundr__subcmd__orchestrator,memory)
                cmd="wundr__subcmd__orchestrator__subcmd__memory"
                ;;
            wundr__subcmd__orchestrator,restart)
                cmd="wundr__subcmd__orchestrator__subcmd__restart"
                ;;
            wundr__subcmd__orchestrator,service)
                cmd="wundr__subcmd__orchestrator__subcmd__service"
                ;;
            wundr__subcmd__orchestrator,session)
                cmd="wundr__subcmd__orchestrator__subcmd__session"
                ;;
            wundr__subcmd__orchestrator,start)
                cmd="wundr__subcmd__orchestrator__subcmd__start"
                ;;
            wundr__subcmd__orchestrator,status)
                cmd="wundr__subcmd__orchestrator__subcmd__status"
                ;;
            wundr__subcmd__orchestrator,stop)
                cmd="wundr__subcmd__orchestrator__subcmd__stop"
                ;;
            wundr__subcmd__orchestrator__subcmd__approval,answer)
                cmd="wundr__subcmd__orchestrator__subcmd__approval__subcmd__answer"
                ;;
            wundr__subcmd__orchestrator__subcmd__approval,approve)
                cmd="wundr__subcmd__orchestrator__subcmd__approval__subcmd__approve"
                ;;
            wundr__subcmd__orchestrator__subcmd__approval,deny)
                cmd="wundr__subcmd__orchestrator__subcmd__approval__subcmd__deny"
                ;;
            wundr__subcmd__orchestrator__subcmd__approval,help)
                cmd="wundr__subcmd__orchestrator__subcmd__approval__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__approval,list)
                cmd="wundr__subcmd__orchestrator__subcmd__approval__subcmd__list"
                ;;
            wundr__subcmd__orchestrator__subcmd__approval__subcmd__help,answer)
                cmd="wundr__subcmd__orchestrator__subcmd__approval__subcmd__help__subcmd__answer"
                ;;
            wundr__subcmd__orchestrator__subcmd__approval__subcmd__help,approve)
                cmd="wundr__subcmd__orchestrator__subcmd__approval__subcmd__help__subcmd__approve"
                ;;
            wundr__subcmd__orchestrator__subcmd__approval__subcmd__help,deny)
                cmd="wundr__subcmd__orchestrator__subcmd__approval__subcmd__help__subcmd__deny"
                ;;
            wundr__subcmd__orchestrator__subcmd__approval__subcmd__help,help)
                cmd="wundr__subcmd__orchestrator__subcmd__approval__subcmd__help__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__approval__subcmd__help,list)
                cmd="wundr__subcmd__orchestrator__subcmd__approval__subcmd__help__subcmd__list"
                ;;
            wundr__subcmd__orchestrator__subcmd__charter,help)
                cmd="wundr__subcmd__orchestrator__subcmd__charter__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__charter,reload)
                cmd="wundr__subcmd__orchestrator__subcmd__charter__subcmd__reload"
                ;;
            wundr__subcmd__orchestrator__subcmd__charter,show)
                cmd="wundr__subcmd__orchestrator__subcmd__charter__subcmd__show"
                ;;
            wundr__subcmd__orchestrator__subcmd__charter,validate)
                cmd="wundr__subcmd__orchestrator__subcmd__charter__subcmd__validate"
                ;;
            wundr__subcmd__orchestrator__subcmd__charter__subcmd__help,help)
                cmd="wundr__subcmd__orchestrator__subcmd__charter__subcmd__help__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__charter__subcmd__help,reload)
                cmd="wundr__subcmd__orchestrator__subcmd__charter__subcmd__help__subcmd__reload"
                ;;
            wundr__subcmd__orchestrator__subcmd__charter__subcmd__help,show)
                cmd="wundr__subcmd__orchestrator__subcmd__charter__subcmd__help__subcmd__show"
                ;;
            wundr__subcmd__orchestrator__subcmd__charter__subcmd__help,validate)
                cmd="wundr__subcmd__orchestrator__subcmd__charter__subcmd__help__subcmd__validate"
                ;;
            wundr__subcmd__orchestrator__subcmd__config,help)
                cmd="wundr__subcmd__orchestrator__subcmd__config__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__config,validate)
                cmd="wundr__subcmd__orchestrator__subcmd__config__subcmd__validate"
                ;;
            wundr__subcmd__orchestrator__subcmd__config__subcmd__help,help)
                cmd="wundr__subcmd__orchestrator__subcmd__config__subcmd__help__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__config__subcmd__help,validate)
                cmd="wundr__subcmd__orchestrator__subcmd__config__subcmd__help__subcmd__validate"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,approval)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__approval"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,audit)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__audit"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,charter)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__charter"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,config)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__config"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,doctor)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__doctor"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,help)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,hook)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__hook"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,logs)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__logs"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,memory)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__memory"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,restart)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__restart"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,service)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__service"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,session)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__session"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,start)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__start"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,status)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__status"
                ;;
            wundr__subcmd__orchestrator__subcmd__help,stop)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__stop"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__approval,answer)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__approval__subcmd__answer"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__approval,approve)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__approval__subcmd__approve"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__approval,deny)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__approval__subcmd__deny"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__approval,list)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__approval__subcmd__list"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__charter,reload)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__charter__subcmd__reload"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__charter,show)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__charter__subcmd__show"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__charter,validate)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__charter__subcmd__validate"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__config,validate)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__config__subcmd__validate"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__memory,add)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__add"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__memory,export)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__export"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__memory,forget)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__forget"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__memory,import)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__import"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__memory,list)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__list"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__memory,search)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__search"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__memory,stats)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__stats"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__service,install)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__service__subcmd__install"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__service,status)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__service__subcmd__status"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__service,uninstall)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__service__subcmd__uninstall"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__session,list)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__list"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__session,pause)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__pause"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__session,send)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__send"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__session,show)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__show"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__session,spawn)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__spawn"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__session,stop)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__stop"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__session,unpause)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__unpause"
                ;;
            wundr__subcmd__orchestrator__subcmd__help__subcmd__session,wait)
                cmd="wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__wait"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory,add)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__add"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory,export)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__export"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory,forget)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__forget"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory,help)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory,import)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__import"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory,list)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__list"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory,search)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__search"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory,stats)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__stats"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory__subcmd__help,add)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__add"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory__subcmd__help,export)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__export"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory__subcmd__help,forget)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__forget"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory__subcmd__help,help)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory__subcmd__help,import)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__import"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory__subcmd__help,list)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__list"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory__subcmd__help,search)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__search"
                ;;
            wundr__subcmd__orchestrator__subcmd__memory__subcmd__help,stats)
                cmd="wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__stats"
                ;;
            wundr__subcmd__orchestrator__subcmd__service,help)
                cmd="wundr__subcmd__orchestrator__subcmd__service__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__service,install)
                cmd="wundr__subcmd__orchestrator__subcmd__service__subcmd__install"
                ;;
            wundr__subcmd__orchestrator__subcmd__service,status)
                cmd="wundr__subcmd__orchestrator__subcmd__service__subcmd__status"
                ;;
            wundr__subcmd__orchestrator__subcmd__service,uninstall)
                cmd="wundr__subcmd__orchestrator__subcmd__service__subcmd__uninstall"
                ;;
            wundr__subcmd__orchestrator__subcmd__service__subcmd__help,help)
                cmd="wundr__subcmd__orchestrator__subcmd__service__subcmd__help__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__service__subcmd__help,install)
                cmd="wundr__subcmd__orchestrator__subcmd__service__subcmd__help__subcmd__install"
                ;;
            wundr__subcmd__orchestrator__subcmd__service__subcmd__help,status)
                cmd="wundr__subcmd__orchestrator__subcmd__service__subcmd__help__subcmd__status"
                ;;
            wundr__subcmd__orchestrator__subcmd__service__subcmd__help,uninstall)
                cmd="wundr__subcmd__orchestrator__subcmd__service__subcmd__help__subcmd__uninstall"
                ;;
            wundr__subcmd__orchestrator__subcmd__session,help)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__session,list)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__list"
                ;;
            wundr__subcmd__orchestrator__subcmd__session,pause)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__pause"
                ;;
            wundr__subcmd__orchestrator__subcmd__session,send)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__send"
                ;;
            wundr__subcmd__orchestrator__subcmd__session,show)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__show"
                ;;
            wundr__subcmd__orchestrator__subcmd__session,spawn)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__spawn"
                ;;
            wundr__subcmd__orchestrator__subcmd__session,stop)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__stop"
                ;;
            wundr__subcmd__orchestrator__subcmd__session,unpause)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__unpause"
                ;;
            wundr__subcmd__orchestrator__subcmd__session,wait)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__wait"
                ;;
            wundr__subcmd__orchestrator__subcmd__session__subcmd__help,help)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__help"
                ;;
            wundr__subcmd__orchestrator__subcmd__session__subcmd__help,list)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__list"
                ;;
            wundr__subcmd__orchestrator__subcmd__session__subcmd__help,pause)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__pause"
                ;;
            wundr__subcmd__orchestrator__subcmd__session__subcmd__help,send)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__send"
                ;;
            wundr__subcmd__orchestrator__subcmd__session__subcmd__help,show)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__show"
                ;;
            wundr__subcmd__orchestrator__subcmd__session__subcmd__help,spawn)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__spawn"
                ;;
            wundr__subcmd__orchestrator__subcmd__session__subcmd__help,stop)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__stop"
                ;;
            wundr__subcmd__orchestrator__subcmd__session__subcmd__help,unpause)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__unpause"
                ;;
            wundr__subcmd__orchestrator__subcmd__session__subcmd__help,wait)
                cmd="wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__wait"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        wundr)
            opts="-h -V --socket --help --version orchestrator completions help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__completions)
            opts="-h -V --socket --help --version bash elvish fish powershell zsh"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help)
            opts="orchestrator completions help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__completions)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator)
            opts="start status logs stop restart doctor session charter config approval audit hook memory service"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__approval)
            opts="list approve deny answer"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__approval__subcmd__answer)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__approval__subcmd__approve)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__approval__subcmd__deny)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__approval__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__audit)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__charter)
            opts="validate show reload"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__charter__subcmd__reload)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__charter__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__charter__subcmd__validate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__config)
            opts="validate"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__config__subcmd__validate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__doctor)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__hook)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__logs)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__memory)
            opts="add search list forget stats export import"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__add)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__export)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__forget)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__import)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__search)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__memory__subcmd__stats)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__restart)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__service)
            opts="install uninstall status"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__service__subcmd__install)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__service__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__service__subcmd__uninstall)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__session)
            opts="spawn list show send stop pause unpause wait"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__pause)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__send)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__spawn)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__stop)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__unpause)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__session__subcmd__wait)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__start)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__help__subcmd__orchestrator__subcmd__stop)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator)
            opts="-h -V --socket --help --version start status logs stop restart doctor session charter config approval audit hook memory service help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval)
            opts="-h -V --socket --help --version list approve deny answer help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval__subcmd__answer)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval__subcmd__approve)
            opts="-h -V --reason --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --reason)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval__subcmd__deny)
            opts="-h -V --reason --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --reason)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval__subcmd__help)
            opts="list approve deny answer help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval__subcmd__help__subcmd__answer)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval__subcmd__help__subcmd__approve)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval__subcmd__help__subcmd__deny)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval__subcmd__help__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__approval__subcmd__list)
            opts="-h -V --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__audit)
            opts="-h -V --session --limit --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --session)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__charter)
            opts="-h -V --socket --help --version validate show reload help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__charter__subcmd__help)
            opts="validate show reload help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__charter__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__charter__subcmd__help__subcmd__reload)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__charter__subcmd__help__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__charter__subcmd__help__subcmd__validate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__charter__subcmd__reload)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__charter__subcmd__show)
            opts="-h -V --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__charter__subcmd__validate)
            opts="-h -V --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__config)
            opts="-h -V --socket --help --version validate help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__config__subcmd__help)
            opts="validate help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__config__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__config__subcmd__help__subcmd__validate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__config__subcmd__validate)
            opts="-h -V --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__doctor)
            opts="-h -V --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help)
            opts="start status logs stop restart doctor session charter config approval audit hook memory service help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__approval)
            opts="list approve deny answer"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__approval__subcmd__answer)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__approval__subcmd__approve)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__approval__subcmd__deny)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__approval__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__audit)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__charter)
            opts="validate show reload"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__charter__subcmd__reload)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__charter__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__charter__subcmd__validate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__config)
            opts="validate"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__config__subcmd__validate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__doctor)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__hook)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__logs)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__memory)
            opts="add search list forget stats export import"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__add)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__export)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__forget)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__import)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__search)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__memory__subcmd__stats)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__restart)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__service)
            opts="install uninstall status"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__service__subcmd__install)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__service__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__service__subcmd__uninstall)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__session)
            opts="spawn list show send stop pause unpause wait"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__pause)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__send)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__spawn)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__stop)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__unpause)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__session__subcmd__wait)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__start)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__help__subcmd__stop)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__hook)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__logs)
            opts="-n -f -h -V --lines --follow --session --transcript --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --lines)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -n)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --session)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory)
            opts="-h -V --socket --help --version add search list forget stats export import help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__add)
            opts="-h -V --tier --type --metadata --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --tier)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --type)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --metadata)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__export)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__forget)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__help)
            opts="add search list forget stats export import help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__add)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__export)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__forget)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__import)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__search)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__help__subcmd__stats)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__import)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__list)
            opts="-h -V --tier --limit --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --tier)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__search)
            opts="-h -V --tier --limit --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --tier)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__memory__subcmd__stats)
            opts="-h -V --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__restart)
            opts="-p -c -t -h -V --port --host --config --foreground --timeout --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --port)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -p)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --host)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -c)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -t)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__service)
            opts="-h -V --socket --help --version install uninstall status help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__service__subcmd__help)
            opts="install uninstall status help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__service__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__service__subcmd__help__subcmd__install)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__service__subcmd__help__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__service__subcmd__help__subcmd__uninstall)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__service__subcmd__install)
            opts="-h -V --dry-run --no-start --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__service__subcmd__status)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__service__subcmd__uninstall)
            opts="-h -V --dry-run --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session)
            opts="-h -V --socket --help --version spawn list show send stop pause unpause wait help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__help)
            opts="spawn list show send stop pause unpause wait help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__pause)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__send)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__spawn)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__stop)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__unpause)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__help__subcmd__wait)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__list)
            opts="-n -h -V --limit --status --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -n)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --status)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__pause)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__send)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__show)
            opts="-h -V --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__spawn)
            opts="-h -V --type --orchestrator --priority --task-type --workdir --scratch --worktree --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --type)
                    COMPREPLY=($(compgen -W "claude-code claude-flow ruflo" -- "${cur}"))
                    return 0
                    ;;
                --orchestrator)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --priority)
                    COMPREPLY=($(compgen -W "low medium high critical" -- "${cur}"))
                    return 0
                    ;;
                --task-type)
                    COMPREPLY=($(compgen -W "code research analysis custom general" -- "${cur}"))
                    return 0
                    ;;
                --workdir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__stop)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__unpause)
            opts="-h -V --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__session__subcmd__wait)
            opts="-h -V --timeout --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__start)
            opts="-p -c -h -V --port --host --config --foreground --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --port)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -p)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --host)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -c)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__status)
            opts="-h -V --json --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wundr__subcmd__orchestrator__subcmd__stop)
            opts="-t -f -h -V --timeout --force --socket --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -t)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _wundr -o nosort -o bashdefault -o default wundr
else
    complete -F _wundr -o bashdefault -o default wundr
fi
