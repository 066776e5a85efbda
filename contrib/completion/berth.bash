# bash completion for berth                                  -*- shell-script -*-
# Install: copy to /usr/share/bash-completion/completions/berth

_berth_images() {
  berth images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>'
  berth images -q 2>/dev/null
}

_berth_containers() {
  berth ps -a --format '{{.Names}}' 2>/dev/null
}

_berth() {
  local cur prev words cword
  _init_completion -n = || return

  local global_opts="--root --runroot --log-level --version --help --noout --storage-driver --storage-opt --events-backend --cgroup-manager --runtime --runtime-flag --config"
  local commands="attach build commit container cp create diff doctor events export generate systemd healthcheck mount umount unmount unshare exec history image images import info inspect kill pause unpause stats load login logout logs ps pull push rename restart rm rmi run save start stop system tag top untag version wait network port volume pod kube play"
  declare -A opts=(
    [images]="--all -a --quiet -q --no-trunc --digests --noheading -n --sort --format --filter -f --help"
    [history]="--no-trunc --quiet -q --human -H --format --help"
    [import]="--change -c --message -m --quiet -q --help"
    [inspect]="--format -f --type -t --help"
    [load]="--input -i --quiet -q --help"
    [pull]="--quiet -q --platform --arch --os --variant --tls-verify --cert-dir --authfile --creds --all-tags -a --help"
    [push]="--format -f --digestfile --quiet -q --tls-verify --cert-dir --authfile --creds --help"
    [login]="--username -u --password -p --password-stdin --get-login --authfile --tls-verify --cert-dir --help"
    [logout]="--all -a --authfile --help"
    [ps]="--all -a --external --noheading --sort --quiet -q --no-trunc --latest -l --last -n --filter -f --size -s --pod -p --format --help"
    [exec]="--interactive -i --tty -t --detach -d --env -e --user -u --workdir -w --privileged --help"
    [top]="--help"
    [restart]="--time -t --all -a --help"
    [rename]="--help"
    [rm]="--force -f --depend --all -a --volumes -v --cidfile --ignore -i --help --time -t"
    [rmi]="--ignore -i --force -f --all -a --help"
    [run]="--ulimit --init --memory -m --pids-limit --cpus --env-file --env-host --unsetenv --unsetenv-all --group-add --tmpfs --mount --cidfile --replace --detach -d --interactive -i --tty -t --rm --name --env -e --workdir -w --user -u --entrypoint --hostname -h --volume -v --volumes-from --pod --label -l --stop-signal --stop-timeout --cap-add --cap-drop --security-opt --network --net --publish -p --publish-all -P --expose --ip --mac-address --network-alias --dns --dns-search --dns-option --add-host --no-hosts --read-only --umask --tz --timeout --preserve-fds --rmi --kernel-memory --runtime --conmon-pidfile --privileged --userns --uidmap --gidmap --sdnotify --restart --health-cmd --health-interval --health-retries --health-timeout --health-start-period --health-on-failure --health-max-log-count --health-max-log-size --no-healthcheck --log-driver --log-opt --pull --quiet -q --platform --arch --os --variant --tls-verify --cert-dir --authfile --creds --help"
    [create]="--ulimit --init --memory -m --pids-limit --cpus --env-file --env-host --unsetenv --unsetenv-all --group-add --tmpfs --mount --cidfile --replace --interactive -i --tty -t --rm --name --env -e --workdir -w --user -u --entrypoint --hostname -h --volume -v --volumes-from --pod --label -l --stop-signal --stop-timeout --cap-add --cap-drop --security-opt --network --net --publish -p --publish-all -P --expose --ip --mac-address --network-alias --dns --dns-search --dns-option --add-host --no-hosts --read-only --umask --tz --timeout --kernel-memory --runtime --conmon-pidfile --privileged --userns --uidmap --gidmap --sdnotify --restart --health-cmd --health-interval --health-retries --health-timeout --health-start-period --health-on-failure --health-max-log-count --health-max-log-size --no-healthcheck --log-driver --log-opt --pull --quiet -q --platform --arch --os --variant --tls-verify --cert-dir --authfile --creds --help"
    [start]="--attach -a --interactive -i --all --filter -f --help"
    [stop]="--time -t --timeout --all -a --cidfile --ignore -i --help"
    [systemd]="--new --env -e --name -n --files -f --restart-policy --stop-timeout -t --container-prefix --separator --user --help"
    [kill]="--signal -s --all -a --cidfile --ignore -i --help"
    [pause]="--all -a --help"
    [unpause]="--all -a --help"
    [stats]="--all -a --no-stream --no-reset --no-trunc --format --interval -i --help"
    [pod-pause]="--all -a --help"
    [pod-unpause]="--all -a --help"
    [pod-stats]="--all -a --no-stream --no-reset --no-trunc --format --interval -i --help"
    [events]="--filter -f --format --since --until --stream --no-trunc --help"
    [wait]="--condition --interval -i --help"
    [healthcheck]="--ignore-result --help"
    [logs]="--follow -f --timestamps -t --names -n --tail --since --until --help"
    [attach]="--detach-keys --no-stdin --sig-proxy --help"
    [build]="--annotation --squash-all --squash --platform --arch --os --variant --timestamp --jobs --secret --omit-history --tag -t --file -f --build-arg --build-arg-file --target --layers --no-cache --pull --quiet -q --iidfile --label --env --network --volume -v --cap-add --cap-drop --format --ignorefile --rm --force-rm --tls-verify --cert-dir --authfile --creds --help"
    [commit]="--change -c --message -m --author -a --pause -p --quiet -q --squash -s --help"
    [diff]="--format --latest -l --help"
    [export]="--output -o --help"
    [cp]="--archive -a --follow-link -L --pause --help"
    [mount]="--notruncate --help"
    [unmount]="--all -a --help"
    [umount]="--all -a --help"
    [unshare]="--help"
    [save]="--output -o --format --uncompressed --quiet -q --multi-image-archive -m --help"
    [tag]="--help"
    [untag]="--help"
    [version]="--format -f --help"
    [prune]="--all -a --force -f --help"
    [df]="--format --help"
    [system-prune]="--all -a --force -f --volumes --help"
    [check]="--format --help"
    [doctor]="--format --help"
    [info]="--format -f --help"
    [port]="--all -a --help"
    [network-create]="--driver -d --subnet --gateway --ip-range --internal --disable-dns --ignore --ipv6 --label --opt -o --help"
    [network-ls]="--quiet -q --noheading -n --no-trunc --format --filter -f --help"
    [network-inspect]="--format -f --help"
    [network-rm]="--force -f --time -t --help"
    [network-exists]="--help"
    [network-prune]="--force -f --help"
    [network-reload]="--all -a --help"
    [network-connect]="--ip --alias --help"
    [network-disconnect]="--force -f --help"
    [pod-create]="--name -n --label -l --share --infra --infra-name --exit-policy --replace --hostname --network --net --publish -p --add-host --dns --help"
    [pod-ps]="--quiet -q --noheading --no-trunc --ctr-names --ctr-status --format --filter -f --help"
    [pod-inspect]="--format -f --help"
    [pod-start]="--all -a --help"
    [pod-stop]="--all -a --time -t --ignore -i --help"
    [pod-kill]="--all -a --signal -s --help"
    [pod-restart]="--all -a --time -t --help"
    [pod-rm]="--all -a --force -f --time -t --ignore -i --help"
    [pod-exists]="--help"
    [pod-prune]="--force -f --help"
    [pod-top]="--help"
    [pod-logs]="--container -c --follow -f --timestamps -t --tail --help"
    [volume-create]="--driver -d --label -l --opt -o --ignore --help"
    [volume-ls]="--quiet -q --noheading -n --format --filter -f --help"
    [volume-inspect]="--all -a --format -f --help"
    [volume-rm]="--all -a --force -f --time -t --help"
    [volume-exists]="--help"
    [volume-prune]="--force -f --filter --help"
    [volume-export]="--output -o --help"
    [volume-import]="--help"
    [volume-mount]="--help"
    [volume-unmount]="--help"
    [kube-generate]="--service -s --type -t --replicas -r --filename -f --help"
    [kube-play]="--down --replace --start --network --net --configmap --publish -p --build --context-dir --help"
    [kube-down]="--help"
  )

  # find the command (and a subcommand of image/container/system)
  local i cmd="" sub=""
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      --root|--runroot|--log-level) ((i++)) ;;
      -*) ;;
      *) if [ -z "$cmd" ]; then cmd=${words[i]}; elif [ -z "$sub" ]; then sub=${words[i]}; break; fi ;;
    esac
  done

  case "$prev" in
    --log-level) COMPREPLY=($(compgen -W "debug info warn error" -- "$cur")); return ;;
    --root|--runroot|--input|-i|--output|-o|--volume|-v|--env-file|--cidfile|--authfile|--digestfile) _filedir; return ;;
    --cert-dir) _filedir -d; return ;;
    --log-driver) COMPREPLY=($(compgen -W "k8s-file journald none passthrough" -- "$cur")); return ;;
    --restart) COMPREPLY=($(compgen -W "no on-failure always unless-stopped" -- "$cur")); return ;;
    --sdnotify) COMPREPLY=($(compgen -W "conmon container healthy ignore" -- "$cur")); return ;;
    --health-on-failure) COMPREPLY=($(compgen -W "none kill restart stop" -- "$cur")); return ;;
    --condition) COMPREPLY=($(compgen -W "running created exited stopped healthy unhealthy" -- "$cur")); return ;;
    --pull) COMPREPLY=($(compgen -W "missing always never newer" -- "$cur")); return ;;
    --userns) COMPREPLY=($(compgen -W "host keep-id nomap auto" -- "$cur")); return ;;
    --format)
      if [ "$cmd" = save ]; then COMPREPLY=($(compgen -W "docker-archive oci-archive oci-dir" -- "$cur")); fi
      if [ "$cmd" = push ]; then COMPREPLY=($(compgen -W "oci v2s2" -- "$cur")); fi
      return ;;
    --network|--net) COMPREPLY=($(compgen -W "private none host bridge pasta slirp4netns $(berth network ls -q 2>/dev/null)" -- "$cur")); return ;;
    --driver|-d) [ "$cmd" = network ] && { COMPREPLY=($(compgen -W "bridge" -- "$cur")); return; } ;;
    --signal|-s|--stop-signal) COMPREPLY=($(compgen -W "TERM KILL INT HUP QUIT USR1 USR2" -- "$cur")); return ;;
    --security-opt) COMPREPLY=($(compgen -W "no-new-privileges seccomp=unconfined mask= unmask=" -- "$cur")); return ;;
    --filter|-f)
      if [ "$cmd" = images ]; then COMPREPLY=($(compgen -W "reference= dangling= label= before= since= id=" -- "$cur")); return; fi
      if [ "$cmd" = ps ] || [ "$cmd" = start ]; then COMPREPLY=($(compgen -W "status= name= id= label= ancestor= exited= restart-policy= health= pod=" -- "$cur")); return; fi ;;
  esac

  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W "$commands $global_opts" -- "$cur"))
    return
  fi
  case "$cmd" in
    image)
      [ -z "$sub" ] && { COMPREPLY=($(compgen -W "list ls inspect tag untag rm history prune load save import exists diff pull push build" -- "$cur")); return; }
      case "$sub" in list|ls) cmd=images ;; rm) cmd=rmi ;; *) cmd=$sub ;; esac ;;
    container)
      [ -z "$sub" ] && { COMPREPLY=($(compgen -W "run create start stop kill pause unpause stats wait logs attach commit diff export cp mount unmount umount inspect list ls ps rm restart rename prune exists exec top" -- "$cur")); return; }
      case "$sub" in list|ls) cmd=ps ;; *) cmd=$sub ;; esac ;;
    system)
      [ -z "$sub" ] && { COMPREPLY=($(compgen -W "df events check info prune" -- "$cur")); return; }
      case "$sub" in prune) cmd=system-prune ;; *) cmd=$sub ;; esac ;;
    generate)
      [ -z "$sub" ] && { COMPREPLY=($(compgen -W "systemd kube" -- "$cur")); return; }
      case "$sub" in kube) cmd=kube-generate ;; *) cmd=$sub ;; esac ;;
    kube|play)
      [ -z "$sub" ] && { COMPREPLY=($(compgen -W "$([ "$cmd" = play ] && echo kube || echo generate play down)" -- "$cur")); return; }
      [ "$cmd" = play ] && sub=play
      cmd=kube-$sub
      if [[ "$cur" != -* ]]; then
        if [ "$sub" = generate ]; then
          COMPREPLY=($(compgen -W "$(_berth_containers) $(berth pod ps --format '{{.Name}}' 2>/dev/null)" -- "$cur"))
        else
          _filedir '@(yaml|yml)'
        fi
        return
      fi ;;
    systemd)
      [ -z "$sub" ] && { COMPREPLY=($(compgen -W "generate" -- "$cur")); return; }
      _filedir -d; return ;;
    healthcheck)
      [ -z "$sub" ] && { COMPREPLY=($(compgen -W "run" -- "$cur")); return; } ;;
    network)
      [ -z "$sub" ] && { COMPREPLY=($(compgen -W "create ls list inspect rm remove exists prune reload connect disconnect" -- "$cur")); return; }
      case "$sub" in list) sub=ls ;; remove) sub=rm ;; esac
      if [[ "$cur" != -* ]] && [ "$sub" != create ] && [ "$sub" != reload ]; then
        COMPREPLY=($(compgen -W "$(berth network ls -q 2>/dev/null)" -- "$cur")); return
      fi
      cmd=network-$sub ;;
    volume)
      [ -z "$sub" ] && { COMPREPLY=($(compgen -W "create ls list inspect rm remove exists prune export import mount unmount" -- "$cur")); return; }
      case "$sub" in list) sub=ls ;; remove) sub=rm ;; esac
      if [[ "$cur" != -* ]] && [ "$sub" != create ] && [ "$sub" != ls ] && [ "$sub" != prune ]; then
        COMPREPLY=($(compgen -W "$(berth volume ls -q 2>/dev/null)" -- "$cur")); return
      fi
      cmd=volume-$sub ;;
    pod)
      [ -z "$sub" ] && { COMPREPLY=($(compgen -W "create ps ls list inspect start stop kill restart pause unpause stats rm remove exists prune top logs" -- "$cur")); return; }
      case "$sub" in ls|list) sub=ps ;; remove) sub=rm ;; esac
      if [[ "$cur" != -* ]] && [ "$sub" != create ] && [ "$sub" != ps ] && [ "$sub" != prune ]; then
        COMPREPLY=($(compgen -W "$(berth pod ps --format '{{.Name}}' 2>/dev/null)" -- "$cur")); return
      fi
      cmd=pod-$sub ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "${opts[$cmd]:-}" -- "$cur"))
    return
  fi
  case "$cmd" in
    run|history|inspect|rmi|save|tag|untag|push) COMPREPLY=($(compgen -W "$(_berth_images)" -- "$cur")) ;;
    systemd|healthcheck|port|network-reload|rm|start|stop|kill|pause|unpause|stats|wait|logs|attach|commit|diff|export|mount|unmount|umount|restart|rename|exec|top) COMPREPLY=($(compgen -W "$(_berth_containers)" -- "$cur")) ;;
    import) _filedir ;;
  esac
}
complete -F _berth berth
