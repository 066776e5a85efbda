# fish completion for berth
set -l cmds network port volume pod kube play build images image load save import tag untag rmi inspect history system doctor info run create exec start stop kill pause unpause stats wait logs attach commit diff export cp mount unmount umount unshare restart rename top ps rm container version pull push login logout generate events systemd healthcheck
complete -c berth -f
complete -c berth -n "not __fish_seen_subcommand_from $cmds" -a "$cmds"
complete -c berth -l root -r -d 'Store root'
complete -c berth -l runroot -r -d 'Run root'
complete -c berth -l log-level -x -a 'debug info warn error'
complete -c berth -l noout -d 'No standard output'
complete -c berth -l storage-driver -x -a 'overlay'
complete -c berth -l storage-opt -x
complete -c berth -l events-backend -x -a 'file journald none'
complete -c berth -l cgroup-manager -x -a 'cgroupfs systemd'
complete -c berth -l runtime -r
complete -c berth -l runtime-flag -x
complete -c berth -l config -r
complete -c berth -n '__fish_seen_subcommand_from load' -s i -l input -r -d 'Archive or OCI layout dir'
complete -c berth -n '__fish_seen_subcommand_from load save import images history' -s q -l quiet
complete -c berth -n '__fish_seen_subcommand_from save' -s o -l output -r
complete -c berth -n '__fish_seen_subcommand_from save' -l uncompressed
complete -c berth -n '__fish_seen_subcommand_from save' -l format -x -a 'docker-archive oci-archive oci-dir'
complete -c berth -n '__fish_seen_subcommand_from images' -s a -l all
complete -c berth -n '__fish_seen_subcommand_from images ps history' -l no-trunc
complete -c berth -n '__fish_seen_subcommand_from images' -l digests
complete -c berth -n '__fish_seen_subcommand_from images ps history system doctor info' -l format -x
complete -c berth -n '__fish_seen_subcommand_from system' -a 'df events check info prune'
complete -c berth -n '__fish_seen_subcommand_from system' -l volumes
complete -c berth -n '__fish_seen_subcommand_from info version' -s f -l format -x
complete -c berth -n '__fish_seen_subcommand_from images' -s f -l filter -x
complete -c berth -n '__fish_seen_subcommand_from import' -s c -l change -x
complete -c berth -n '__fish_seen_subcommand_from import' -s m -l message -x
complete -c berth -n '__fish_seen_subcommand_from rmi rm' -s f -l force
complete -c berth -n '__fish_seen_subcommand_from rmi rm ps' -s a -l all
complete -c berth -n '__fish_seen_subcommand_from rmi' -s i -l ignore
complete -c berth -n '__fish_seen_subcommand_from run' -s i -l interactive
complete -c berth -n '__fish_seen_subcommand_from run' -l rm
complete -c berth -n '__fish_seen_subcommand_from run' -l name -x
complete -c berth -n '__fish_seen_subcommand_from run' -s e -l env -x
complete -c berth -n '__fish_seen_subcommand_from run' -s w -l workdir -x
complete -c berth -n '__fish_seen_subcommand_from run' -s u -l user -x
complete -c berth -n '__fish_seen_subcommand_from run' -l entrypoint -x
complete -c berth -n '__fish_seen_subcommand_from run' -s h -l hostname -x
complete -c berth -n '__fish_seen_subcommand_from run' -s v -l volume -r
complete -c berth -n '__fish_seen_subcommand_from run' -l cap-add -x
complete -c berth -n '__fish_seen_subcommand_from run' -l cap-drop -x
complete -c berth -n '__fish_seen_subcommand_from run' -l security-opt -x -a 'no-new-privileges seccomp=unconfined'
complete -c berth -n '__fish_seen_subcommand_from run' -l network -x -a 'private none host bridge (berth network ls -q 2>/dev/null)'
complete -c berth -n '__fish_seen_subcommand_from run create' -s p -l publish -x -d 'Publish a port ([IP:][HOST:]CTR[/PROTO])'
complete -c berth -n '__fish_seen_subcommand_from run create' -s P -l publish-all -d 'Publish exposed ports on random host ports'
complete -c berth -n '__fish_seen_subcommand_from run create' -l expose -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l ip -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l mac-address -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l network-alias -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l dns -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l dns-search -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l dns-option -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l add-host -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l no-hosts
complete -c berth -n '__fish_seen_subcommand_from network' -a 'create ls inspect rm exists prune reload connect disconnect'
complete -c berth -n '__fish_seen_subcommand_from volume' -a 'create ls inspect rm exists prune export import mount unmount (berth volume ls -q 2>/dev/null)'
complete -c berth -n '__fish_seen_subcommand_from volume' -l ignore
complete -c berth -n '__fish_seen_subcommand_from pod' -a 'create ps inspect start stop kill restart pause unpause stats rm exists prune top logs (berth pod ps --format "{{.Name}}" 2>/dev/null)'
complete -c berth -n '__fish_seen_subcommand_from pod' -l share -x -a 'net uts ipc'
complete -c berth -n '__fish_seen_subcommand_from pod' -l exit-policy -x -a 'continue stop'
complete -c berth -n '__fish_seen_subcommand_from run create' -l pod -x -a '(berth pod ps --format "{{.Name}}" 2>/dev/null)'
complete -c berth -n '__fish_seen_subcommand_from volume' -s o -l opt -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l volumes-from -x -a '(berth ps -a --format "{{.Names}}" 2>/dev/null)'
complete -c berth -n '__fish_seen_subcommand_from network' -l subnet -x
complete -c berth -n '__fish_seen_subcommand_from network' -l gateway -x
complete -c berth -n '__fish_seen_subcommand_from network' -l ip-range -x
complete -c berth -n '__fish_seen_subcommand_from network' -l internal
complete -c berth -n '__fish_seen_subcommand_from network' -l disable-dns
complete -c berth -n '__fish_seen_subcommand_from network' -s d -l driver -x -a bridge
complete -c berth -n '__fish_seen_subcommand_from port' -s a -l all
complete -c berth -n '__fish_seen_subcommand_from run' -l read-only
complete -c berth -n '__fish_seen_subcommand_from run create' -l umask -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l tz -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l timeout -x
complete -c berth -n '__fish_seen_subcommand_from run' -l preserve-fds -x
complete -c berth -n '__fish_seen_subcommand_from run' -l rmi
complete -c berth -n '__fish_seen_subcommand_from run create' -l kernel-memory -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l runtime -r
complete -c berth -n '__fish_seen_subcommand_from run create' -l conmon-pidfile -r
complete -c berth -n '__fish_seen_subcommand_from run' -l privileged
complete -c berth -n '__fish_seen_subcommand_from run create' -l userns -x -a 'host keep-id nomap auto'
complete -c berth -n '__fish_seen_subcommand_from run create' -l uidmap -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l gidmap -x
complete -c berth -n '__fish_seen_subcommand_from run' -s d -l detach
complete -c berth -n '__fish_seen_subcommand_from run create' -s t -l tty
complete -c berth -n '__fish_seen_subcommand_from run create' -s l -l label -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l stop-signal -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l stop-timeout -x
complete -c berth -n '__fish_seen_subcommand_from start' -s a -l attach
complete -c berth -n '__fish_seen_subcommand_from start' -s i -l interactive
complete -c berth -n '__fish_seen_subcommand_from stop' -s t -l time -x
complete -c berth -n '__fish_seen_subcommand_from stop' -l timeout -x
complete -c berth -n '__fish_seen_subcommand_from kill' -s s -l signal -x
complete -c berth -n '__fish_seen_subcommand_from kill' -l cidfile -r
complete -c berth -n '__fish_seen_subcommand_from kill' -s i -l ignore
complete -c berth -n '__fish_seen_subcommand_from pause unpause stats' -s a -l all
complete -c berth -n '__fish_seen_subcommand_from stats' -l no-stream
complete -c berth -n '__fish_seen_subcommand_from stats' -l no-reset
complete -c berth -n '__fish_seen_subcommand_from stats' -l no-trunc
complete -c berth -n '__fish_seen_subcommand_from stats' -l format -x
complete -c berth -n '__fish_seen_subcommand_from stats' -s i -l interval -x
complete -c berth -n '__fish_seen_subcommand_from build' -s t -l tag -x
complete -c berth -n '__fish_seen_subcommand_from build' -s f -l file -r
complete -c berth -n '__fish_seen_subcommand_from build' -l build-arg -x
complete -c berth -n '__fish_seen_subcommand_from build' -l build-arg-file -r
complete -c berth -n '__fish_seen_subcommand_from build' -l target -x
complete -c berth -n '__fish_seen_subcommand_from build' -l layers -x -a 'true false'
complete -c berth -n '__fish_seen_subcommand_from build' -l no-cache
complete -c berth -n '__fish_seen_subcommand_from build' -l pull -x -a 'always missing never newer'
complete -c berth -n '__fish_seen_subcommand_from build' -s q -l quiet
complete -c berth -n '__fish_seen_subcommand_from build' -l iidfile -r
complete -c berth -n '__fish_seen_subcommand_from build' -l label -x
complete -c berth -n '__fish_seen_subcommand_from build' -l env -x
complete -c berth -n '__fish_seen_subcommand_from build' -l network -x -a 'private none host'
complete -c berth -n '__fish_seen_subcommand_from build' -s v -l volume -r
complete -c berth -n '__fish_seen_subcommand_from build' -l cap-add -x
complete -c berth -n '__fish_seen_subcommand_from build' -l cap-drop -x
complete -c berth -n '__fish_seen_subcommand_from build' -l format -x -a 'oci docker'
complete -c berth -n '__fish_seen_subcommand_from build' -l ignorefile -r
complete -c berth -n '__fish_seen_subcommand_from build' -l rm -x -a 'true false'
complete -c berth -n '__fish_seen_subcommand_from build' -l force-rm
complete -c berth -n '__fish_seen_subcommand_from build' -l secret -x
complete -c berth -n '__fish_seen_subcommand_from build' -l omit-history
complete -c berth -n '__fish_seen_subcommand_from build' -l jobs -x
complete -c berth -n '__fish_seen_subcommand_from build' -l timestamp -x
complete -c berth -n '__fish_seen_subcommand_from build' -l squash-all
complete -c berth -n '__fish_seen_subcommand_from build' -l squash
complete -c berth -n '__fish_seen_subcommand_from build' -l platform -r
complete -c berth -n '__fish_seen_subcommand_from build' -l arch -r
complete -c berth -n '__fish_seen_subcommand_from build' -l os -r
complete -c berth -n '__fish_seen_subcommand_from build' -l variant -r
complete -c berth -n '__fish_seen_subcommand_from build' -l annotation -x
complete -c berth -n '__fish_seen_subcommand_from commit' -s c -l change -x
complete -c berth -n '__fish_seen_subcommand_from commit' -s m -l message -x
complete -c berth -n '__fish_seen_subcommand_from commit' -s a -l author -x
complete -c berth -n '__fish_seen_subcommand_from commit' -s p -l pause
complete -c berth -n '__fish_seen_subcommand_from commit' -s q -l quiet
complete -c berth -n '__fish_seen_subcommand_from commit' -s s -l squash
complete -c berth -n '__fish_seen_subcommand_from diff' -l format -x -a json
complete -c berth -n '__fish_seen_subcommand_from diff' -s l -l latest
complete -c berth -n '__fish_seen_subcommand_from exists' -l external
complete -c berth -n '__fish_seen_subcommand_from export' -s o -l output -r
complete -c berth -n '__fish_seen_subcommand_from unmount umount' -s a -l all
complete -c berth -n '__fish_seen_subcommand_from cp' -s a -l archive
complete -c berth -n '__fish_seen_subcommand_from cp' -s L -l follow-link
complete -c berth -n '__fish_seen_subcommand_from cp' -l pause -x -a 'true false'
complete -c berth -n '__fish_seen_subcommand_from attach' -l detach-keys -x
complete -c berth -n '__fish_seen_subcommand_from attach' -l no-stdin
complete -c berth -n '__fish_seen_subcommand_from attach' -l sig-proxy
complete -c berth -n '__fish_seen_subcommand_from logs' -s f -l follow
complete -c berth -n '__fish_seen_subcommand_from logs' -s t -l timestamps
complete -c berth -n '__fish_seen_subcommand_from logs' -s n -l names
complete -c berth -n '__fish_seen_subcommand_from logs' -l tail -x
complete -c berth -n '__fish_seen_subcommand_from logs' -l since -x
complete -c berth -n '__fish_seen_subcommand_from logs' -l until -x
complete -c berth -n '__fish_seen_subcommand_from ps' -s l -l latest
complete -c berth -n '__fish_seen_subcommand_from ps' -l external
complete -c berth -n '__fish_seen_subcommand_from ps' -s n -l last -x
complete -c berth -n '__fish_seen_subcommand_from ps' -s p -l pod
complete -c berth -n '__fish_seen_subcommand_from rm' -s v -l volumes
complete -c berth -n '__fish_seen_subcommand_from rm' -l depend
complete -c berth -n '__fish_seen_subcommand_from images ps' -l noheading
complete -c berth -n '__fish_seen_subcommand_from images' -l sort -x -a 'created id repository size tag'
complete -c berth -n '__fish_seen_subcommand_from ps' -l sort -x -a 'command created id image names runningfor size status'
complete -c berth -n '__fish_seen_subcommand_from rm' -s t -l time -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l env-file -r
complete -c berth -n '__fish_seen_subcommand_from run create' -l env-host
complete -c berth -n '__fish_seen_subcommand_from run create' -l unsetenv -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l unsetenv-all
complete -c berth -n '__fish_seen_subcommand_from run create' -l group-add -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l tmpfs -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l mount -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l cidfile -r
complete -c berth -n '__fish_seen_subcommand_from run create' -l replace
complete -c berth -n '__fish_seen_subcommand_from ps' -s f -l filter -x -a 'status= name= id= label= ancestor= exited='
complete -c berth -n '__fish_seen_subcommand_from ps' -s s -l size
complete -c berth -n '__fish_seen_subcommand_from restart' -s t -l time -x
complete -c berth -n '__fish_seen_subcommand_from exec' -s i -l interactive
complete -c berth -n '__fish_seen_subcommand_from exec' -s t -l tty
complete -c berth -n '__fish_seen_subcommand_from exec' -s d -l detach
complete -c berth -n '__fish_seen_subcommand_from exec' -s e -l env -x
complete -c berth -n '__fish_seen_subcommand_from exec' -s u -l user -x
complete -c berth -n '__fish_seen_subcommand_from exec' -s w -l workdir -x
complete -c berth -n '__fish_seen_subcommand_from exec' -l privileged
complete -c berth -n '__fish_seen_subcommand_from run create' -s m -l memory -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l pids-limit -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l cpus -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l ulimit -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l init
complete -c berth -n '__fish_seen_subcommand_from run create' -l pull -x -a 'missing always never newer'
complete -c berth -n '__fish_seen_subcommand_from run create pull push' -s q -l quiet
complete -c berth -n '__fish_seen_subcommand_from run create pull' -l platform -x
complete -c berth -n '__fish_seen_subcommand_from run create pull' -l arch -x
complete -c berth -n '__fish_seen_subcommand_from run create pull' -l os -x
complete -c berth -n '__fish_seen_subcommand_from run create pull' -l variant -x
complete -c berth -n '__fish_seen_subcommand_from run create pull push login' -l tls-verify -x -a 'true false'
complete -c berth -n '__fish_seen_subcommand_from run create pull push login' -l cert-dir -r
complete -c berth -n '__fish_seen_subcommand_from run create pull push login logout' -l authfile -r
complete -c berth -n '__fish_seen_subcommand_from run create pull push' -l creds -x
complete -c berth -n '__fish_seen_subcommand_from pull' -s a -l all-tags
complete -c berth -n '__fish_seen_subcommand_from push' -s f -l format -x -a 'oci v2s2'
complete -c berth -n '__fish_seen_subcommand_from push' -l digestfile -r
complete -c berth -n '__fish_seen_subcommand_from login' -s u -l username -x
complete -c berth -n '__fish_seen_subcommand_from login' -s p -l password -x
complete -c berth -n '__fish_seen_subcommand_from login' -l password-stdin
complete -c berth -n '__fish_seen_subcommand_from login' -l get-login
complete -c berth -n '__fish_seen_subcommand_from logout' -s a -l all
complete -c berth -n '__fish_seen_subcommand_from run create' -l sdnotify -x -a 'conmon container healthy ignore'
complete -c berth -n '__fish_seen_subcommand_from run create' -l health-cmd -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l health-interval -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l health-retries -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l health-timeout -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l health-start-period -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l health-on-failure -x -a 'none kill restart stop'
complete -c berth -n '__fish_seen_subcommand_from run create' -l health-max-log-count -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l health-max-log-size -x
complete -c berth -n '__fish_seen_subcommand_from run create' -l no-healthcheck
complete -c berth -n '__fish_seen_subcommand_from run create' -l restart -x -a 'no on-failure always unless-stopped'
complete -c berth -n '__fish_seen_subcommand_from start' -l all
complete -c berth -n '__fish_seen_subcommand_from start' -s f -l filter -x
complete -c berth -n '__fish_seen_subcommand_from wait' -l condition -x -a 'running created exited stopped healthy unhealthy'
complete -c berth -n '__fish_seen_subcommand_from healthcheck' -a run
complete -c berth -n '__fish_seen_subcommand_from healthcheck' -l ignore-result
complete -c berth -n '__fish_seen_subcommand_from wait' -s i -l interval -x
complete -c berth -n '__fish_seen_subcommand_from stop rm' -l cidfile -r
complete -c berth -n '__fish_seen_subcommand_from stop rm' -s i -l ignore
complete -c berth -n '__fish_seen_subcommand_from generate' -a systemd
complete -c berth -n '__fish_seen_subcommand_from generate' -l new
complete -c berth -n '__fish_seen_subcommand_from generate' -s n -l name
complete -c berth -n '__fish_seen_subcommand_from generate' -s f -l files
complete -c berth -n '__fish_seen_subcommand_from generate' -l restart-policy -x -a 'no on-failure always unless-stopped'
complete -c berth -n '__fish_seen_subcommand_from generate' -s t -l stop-timeout -x
complete -c berth -n '__fish_seen_subcommand_from generate' -l container-prefix -x
complete -c berth -n '__fish_seen_subcommand_from generate' -l separator -x
complete -c berth -n '__fish_seen_subcommand_from generate' -s e -l env -x
complete -c berth -n '__fish_seen_subcommand_from events' -s f -l filter -x
complete -c berth -n '__fish_seen_subcommand_from events' -l format -x
complete -c berth -n '__fish_seen_subcommand_from events' -l since -x
complete -c berth -n '__fish_seen_subcommand_from events' -l until -x
complete -c berth -n '__fish_seen_subcommand_from events' -l stream -x -a 'true false'
complete -c berth -n '__fish_seen_subcommand_from events' -l no-trunc
complete -c berth -n '__fish_seen_subcommand_from run create' -l log-driver -x -a 'k8s-file journald none passthrough'
complete -c berth -n '__fish_seen_subcommand_from run create' -l log-opt -x
complete -c berth -n '__fish_seen_subcommand_from systemd' -a generate
complete -c berth -n '__fish_seen_subcommand_from systemd' -l user
complete -c berth -n '__fish_seen_subcommand_from kube' -a 'generate play down'
complete -c berth -n '__fish_seen_subcommand_from play' -a 'kube'
complete -c berth -n '__fish_seen_subcommand_from generate' -a 'kube'
complete -c berth -n '__fish_seen_subcommand_from kube' -s t -l type -x -a 'pod deployment'
complete -c berth -n '__fish_seen_subcommand_from kube' -s s -l service
complete -c berth -n '__fish_seen_subcommand_from kube' -s r -l replicas -x
complete -c berth -n '__fish_seen_subcommand_from kube' -s f -l filename -r
complete -c berth -n '__fish_seen_subcommand_from kube play' -l down
complete -c berth -n '__fish_seen_subcommand_from kube play' -l replace
complete -c berth -n '__fish_seen_subcommand_from kube play' -l build
complete -c berth -n '__fish_seen_subcommand_from kube play' -l context-dir -r
complete -c berth -n '__fish_seen_subcommand_from kube play' -l start -x -a 'true false'
complete -c berth -n '__fish_seen_subcommand_from kube play' -l configmap -r
