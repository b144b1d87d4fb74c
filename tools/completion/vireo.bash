# bash completion for vireo (the Vireo CLI).
# Install: source it from ~/.bashrc, or copy it to
# /usr/share/bash-completion/completions/vireo.
#
# Completes subcommands, machine names (from `vireo list`; without vireo on
# $PATH, the directories of $XDG_DATA_HOME/vireo/machines holding a
# machine.json), options per subcommand, and files where an option or
# argument takes a path.  tests/vmlib/man-check.sh checks that every option
# the commands' --help shows is here.

_vireo_machines()
{
	if type -P vireo >/dev/null; then
		vireo list 2>/dev/null | awk 'NR > 1 { print $1 }'
		return
	fi
	local dir=${XDG_DATA_HOME:-$HOME/.local/share}
	[[ $dir == /* ]] || dir=$HOME/.local/share
	dir=$dir/vireo/machines
	local m
	for m in "$dir"/*/machine.json; do
		[[ -f $m ]] || continue
		m=${m%/machine.json}
		printf '%s\n' "${m##*/}"
	done
}

_vireo()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -n = || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local commands="create list info start stop kill console pause resume reset modify delete disk help"
	local cmd= i
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} != -* ]]; then
			cmd=${words[i]}
			break
		fi
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi

	local opts= machine=1
	case $cmd in
	create)
		opts="--memory --cpus --kernel --initrd --append --disk --new-disk --nic --no-nic
		      --forward --boot-order --no-serial --help"
		machine=0 ;;
	list) opts="--output --json --help"; machine=0 ;;
	info) opts="--output --json --help" ;;
	start) opts="--attach --wait --help" ;;
	stop) opts="--timeout --force --help" ;;
	kill | console | pause | resume | reset) opts="--help" ;;
	modify)
		opts="--memory --cpus --kernel --initrd --no-initrd --append --boot-mode --boot-order
		      --add-disk --new-disk --remove-disk --add-nic --remove-nic --add-forward
		      --remove-forward --serial --serial-log --help" ;;
	delete) opts="--yes --keep-disks --help" ;;
	help)
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return ;;
	disk)
		local sub=
		for ((i = i + 1; i < cword; i++)); do
			if [[ ${words[i]} != -* ]]; then
				sub=${words[i]}
				break
			fi
		done
		case $sub in
		"") COMPREPLY=($(compgen -W "create info resize convert check --help" -- "$cur")); return ;;
		create) opts="--format --backing --backing-format --cluster-size --overwrite --help" ;;
		info | check) opts="--format --output --json --help" ;;
		resize) opts="--format --help" ;;
		convert)
			opts="--output-format --source-format --cluster-size --overwrite --quiet --help" ;;
		esac
		case $prev in
		--format | --output-format | --source-format | --backing-format | -f | -O | -F)
			COMPREPLY=($(compgen -W "qcow2 raw" -- "$cur")); return ;;
		--output | -o)
			COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		return ;;
	*) return ;;
	esac

	case $prev in
	--kernel | --initrd | --disk | --add-disk | -k | -i | -d)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--boot-mode)
		COMPREPLY=($(compgen -W "kernel firmware" -- "$cur")); return ;;
	--boot-order)
		COMPREPLY=($(compgen -W "disk,cdrom cdrom,disk disk net" -- "$cur")); return ;;
	--serial)
		COMPREPLY=($(compgen -W "on off" -- "$cur")); return ;;
	--output | -o)
		COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
	--nic | --add-nic)
		COMPREPLY=($(compgen -W "nat tap,ifname=" -- "$cur")); return ;;
	--memory | --cpus | --append | --new-disk | --forward | --add-forward | --remove-forward | \
	--remove-disk | --remove-nic | --timeout | --wait | --serial-log | -m | -c | -a | -D | -p | -t | -w)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif ((machine)); then
		COMPREPLY=($(compgen -W "$(_vireo_machines)" -- "$cur"))
	fi
}

complete -F _vireo vireo
