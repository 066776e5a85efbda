#compdef berth
# zsh completion for berth: commands and their flags.
_berth() {
  local -a commands
  commands=(
    'images:List images in local storage' 'image:Manage images' 'load:Load image(s) from a tar archive'
    'save:Save image(s) to an archive' 'import:Import a tarball to create a filesystem image'
    'tag:Add an additional name to a local image' 'untag:Remove a name from a local image'
    'rmi:Remove one or more images' 'inspect:Display the configuration of an object'
    'history:Show history of a specified image' 'system:Manage berth' 'doctor:Check that this user can run containers rootless' 'info:Display berth system information' 'run:Run a command in a new container'
    'ps:List containers' 'rm:Remove one or more containers' 'create:Create a container'
    'network:Manage networks' 'port:List port mappings of a container' 'volume:Manage volumes' 'pod:Manage pods' 'kube:Generate and play Kubernetes YAML' 'play:Play Kubernetes YAML (play kube)'
    'start:Start containers' 'stop:Stop containers' 'kill:Signal containers' 'pause:Pause containers' 'unpause:Unpause containers' 'stats:Show container resource use' 'wait:Wait for containers'
    'logs:Show container output' 'attach:Attach to a running container'
    'build:Build an image from a Containerfile' 'commit:Create an image from a container' 'diff:List changes in a container or image' 'export:Export a container filesystem' 'cp:Copy files to or from a container'
    'mount:Mount a container filesystem' 'unmount:Unmount a container filesystem' 'umount:Unmount a container filesystem' 'unshare:Run a command in the rootless user namespace' 'restart:Restart containers' 'exec:Run a process in a running container' 'top:Show a container'"'"'s processes' 'rename:Rename a container' 'container:Manage containers' 'version:Display the version'
    'systemd:Quadlet units from .container files' 'events:Show berth events' 'generate:Generate systemd units' 'pull:Pull an image from a registry' 'push:Push an image to a registry' 'login:Log in to a registry' 'logout:Log out of a registry' 'healthcheck:Run a container health check'
  )
  _arguments -C '--root[Store root]:dir:_files -/' '--runroot[Run root]:dir:_files -/' \
    '--log-level[Log level]:level:(debug info warn error)' '(-v --version)'{-v,--version}'[Version]' \
    '--noout[No standard output]' '--storage-driver[Storage driver]:driver:(overlay)' '*--storage-opt[Storage option]:option' \
    '--events-backend[Events backend]:backend:(file journald none)' '--cgroup-manager[Cgroup manager]:manager:(cgroupfs systemd)' \
    '--runtime[OCI runtime]:path:_files' '*--runtime-flag[Runtime flag]:flag' '--config[Docker config dir]:dir:_files -/' \
    '1: :->cmd' '*:: :->args'
  case $state in
    cmd) _describe 'command' commands ;;
    args)
      case $words[1] in
        run|create) _arguments '*--ulimit:ulimit' '--init' {-m,--memory}':size' '--pids-limit:n' '--cpus:n' '*--env-file:file:_files' '--env-host' '*--unsetenv:key' '--unsetenv-all' '*--group-add:group' '*--tmpfs:tmpfs' '*--mount:mount' '--cidfile:file:_files' '--replace' {-d,--detach} {-t,--tty} '*'{-l,--label}':label' '--stop-signal:signal' '--stop-timeout:seconds' '(-i --interactive)'{-i,--interactive} '--rm' '--name:name' '*'{-e,--env}':env' \
               {-w,--workdir}':dir' {-u,--user}':user' '--entrypoint:cmd' {-h,--hostname}':name' \
               '*'{-v,--volume}':volume:_files' '*--cap-add:cap' '*--cap-drop:cap' '*--security-opt:opt' \
               '--network:mode:(private none host bridge)' '*'{-p,--publish}':port' {-P,--publish-all} '*--expose:port' '--ip:address' '--mac-address:mac' '*--network-alias:alias' '*--dns:server' '*--dns-search:domain' '*--dns-option:option' '*--add-host:host\:ip' '--no-hosts' '--read-only' '--umask:mask' '--tz:zone' '--timeout:seconds' '--preserve-fds:n' '--rmi' '--kernel-memory:size' '--runtime:path:_files' '--conmon-pidfile:file:_files' '--privileged' '--userns:mode:(host keep-id nomap auto)' '*--uidmap:map' '*--gidmap:map' '*--volumes-from:container' '--pod:pod' \
               '--sdnotify:mode:(conmon container healthy ignore)' '--restart:policy:(no on-failure always unless-stopped)' '--health-cmd:command' '--health-interval:duration' '--health-retries:n' '--health-timeout:duration' '--health-start-period:duration' '--health-on-failure:action:(none kill restart stop)' '--health-max-log-count:n' '--health-max-log-size:n' '--no-healthcheck' '--log-driver:driver:(k8s-file journald none passthrough)' '*--log-opt:option' '--pull:policy:(missing always never newer)' {-q,--quiet} '--platform:platform' '--arch:arch' '--os:os' '--variant:variant' \
               '--tls-verify=-:bool:(true false)' '--cert-dir:dir:_files -/' '--authfile:file:_files' '--creds:creds' '*::args' ;;
        pull) _arguments {-q,--quiet} '--platform:platform' '--arch:arch' '--os:os' '--variant:variant' '--tls-verify=-:bool:(true false)' '--cert-dir:dir:_files -/' '--authfile:file:_files' '--creds:creds' {-a,--all-tags} '*:image' ;;
        push) _arguments {-f,--format}':format:(oci v2s2)' '--digestfile:file:_files' {-q,--quiet} '--tls-verify=-:bool:(true false)' '--cert-dir:dir:_files -/' '--authfile:file:_files' '--creds:creds' '1:image' '2:destination' ;;
        login) _arguments {-u,--username}':user' {-p,--password}':password' '--password-stdin' '--get-login' '--tls-verify=-:bool:(true false)' '--cert-dir:dir:_files -/' '--authfile:file:_files' '1:registry' ;;
        logout) _arguments {-a,--all} '--authfile:file:_files' '1:registry' ;;
        exec) _arguments {-i,--interactive} {-t,--tty} {-d,--detach} '*'{-e,--env}':env' {-u,--user}':user' {-w,--workdir}':dir' '--privileged' '1:container' '*::command' ;;
        build) _arguments '*'{-t,--tag}':name' {-f,--file}':file:_files' '*--build-arg:arg' '*--build-arg-file:file:_files' '--target:stage' '--layers:bool:(true false)' '--no-cache' '--pull:policy:(always missing never newer)' {-q,--quiet} '--iidfile:file:_files' '*--label:label' '*--env:env' '--network:mode:(private none host)' '*'{-v,--volume}':volume' '*--cap-add:cap' '*--cap-drop:cap' '--format:format:(oci docker)' '--ignorefile:file:_files' '--rm:bool:(true false)' '--force-rm' '*--secret:secret' '--omit-history' '--jobs:n' '--timestamp:seconds' '--squash-all' '--squash' '--platform:platform' '--arch:arch' '--os:os' '--variant:variant' '*--annotation:annotation' '--tls-verify' '--cert-dir:dir:_files -/' '--authfile:file:_files' '--creds:creds' '1:context:_files -/' ;;
        commit) _arguments {-c,--change}'[instruction]:instruction' {-m,--message}':message' {-a,--author}':author' {-p,--pause} {-q,--quiet} {-s,--squash} '1:container' '2:image' ;;
        diff) _arguments '--format:format:(json)' {-l,--latest} '1:container or image' ;;
        mount) _arguments '--notruncate' '*:container' ;;
        unmount|umount) _arguments {-a,--all} '*:container' ;;
        unshare) _arguments '*::command:_normal' ;;
        cp) _arguments {-a,--archive} {-L,--follow-link} '--pause=-:bool:(true false)' '1:source:_files' '2:destination:_files' ;;
        export) _arguments {-o,--output}':file:_files' '1:container' ;;
        attach) _arguments '--detach-keys:keys' '--no-stdin' '--sig-proxy' '1:container' ;;
        logs) _arguments {-f,--follow} {-t,--timestamps} {-n,--names} '--tail:lines' '--since:time' '--until:time' '*:container' ;;
        stop) _arguments {-t,--time,--timeout}':seconds' {-a,--all} '*--cidfile:file:_files' {-i,--ignore} '*:container' ;;
        generate) _arguments '1:what:(systemd kube)' {-s,--service} '--type:type:(pod deployment)' '--replicas:count' '--filename:file:_files' '--new' {-n,--name} {-f,--files} '--restart-policy:policy:(no on-failure always unless-stopped)' {-t,--stop-timeout}':seconds' '--container-prefix:prefix' '--separator:sep' '*'{-e,--env}':env' '*:container' ;;
        kill) _arguments {-s,--signal}':signal' {-a,--all} '*--cidfile:file:_files' {-i,--ignore} '*:container' ;;
        pause|unpause) _arguments {-a,--all} '*:container' ;;
        stats) _arguments {-a,--all} '--no-stream' '--no-reset' '--no-trunc' '--format:format' {-i,--interval}':seconds' '*:container' ;;
        systemd) _arguments '1:what:(generate)' '--user' '2:dir:_files -/' ;;
        events) _arguments '*'{-f,--filter}':filter' '--format:format' '--since:time' '--until:time' '--stream=-:bool:(true false)' '--no-trunc' ;;
        system) _arguments '1:what:(df events check info prune)' '--format:format:(json)' {-a,--all} {-f,--force} '--volumes' ;;
        kube|play) _arguments '1:what:(generate play down kube)' {-s,--service} {-t,--type}':type:(pod deployment)' {-r,--replicas}':count' {-f,--filename}':file:_files' '--down' '--replace' '--start:bool:(true false)' '--build' '--context-dir:dir:_files -/' '--network:mode' '*--configmap:file:_files' '*'{-p,--publish}':port' '*:file or name:_files' ;;
        pod) _arguments '1:what:(create ps inspect start stop kill restart pause unpause stats rm exists prune top logs)' {-n,--name}':name' '*'{-l,--label}':label' '--share:namespaces' '--infra:bool:(true false)' '--infra-name:name' '--exit-policy:policy:(continue stop)' '--replace' '--hostname:name' '--network:mode' '*'{-p,--publish}':port' '*--add-host:host\:ip' '*--dns:server' {-f,--force} {-q,--quiet} {-a,--all} {-t,--time}':seconds' {-s,--signal}':signal' '--format:format' '*--filter:filter' '--no-stream' '--no-reset' '--no-trunc' {-i,--interval}':seconds' '*:pod' ;;
        volume) _arguments '1:what:(create ls inspect rm exists prune export import mount unmount)' {-d,--driver}':driver:(local)' '*'{-l,--label}':label' '*'{-o,--opt}':option' '--ignore' {-f,--force} {-q,--quiet} '--format:format' '*--filter:filter' {-a,--all} '--output:file:_files' '*:volume' ;;
        network) _arguments '1:what:(create ls inspect rm exists prune reload connect disconnect)' '--alias:alias' '--ip:address' '--subnet:cidr' '--gateway:ip' '--ip-range:cidr' '--internal' '--disable-dns' '--ignore' '*--label:label' '*'{-o,--opt}':option' {-f,--force} {-q,--quiet} '--format:format' '*--filter:filter' {-a,--all} '*:network' ;;
        port) _arguments {-a,--all} '1:container' '2:port' ;;
        doctor) _arguments '--format:format:(json)' ;;
        info|version) _arguments {-f,--format}':format:(json)' ;;
        healthcheck) _arguments '1:what:(run)' '--ignore-result' '2:container' ;;
        wait) _arguments '*--condition:state:(running created exited stopped healthy unhealthy)' {-i,--interval}':interval' '*:container' ;;
        start) _arguments {-a,--attach} {-i,--interactive} '--all' '*'{-f,--filter}':filter' '*:container' ;;
        load) _arguments {-i,--input}':file:_files' {-q,--quiet} ;;
        save) _arguments {-o,--output}':file:_files' '--format:format:(docker-archive oci-archive oci-dir)' {-q,--quiet} {-m,--multi-image-archive} '--uncompressed' '*::image' ;;
        images) _arguments {-a,--all} {-q,--quiet} '--no-trunc' '--digests' {-n,--noheading} '--sort:key:(created id repository size tag)' '--format:format' '*'{-f,--filter}':filter' ;;
        import) _arguments '*'{-c,--change}':change' {-m,--message}':msg' {-q,--quiet} '*::file:_files' ;;
        *) _files ;;
      esac ;;
  esac
}
_berth "$@"
