package dev.jpoline.api.consts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The constant tables of x86-64 Linux that syscall arguments use, by name. The syscall table refers
 * to them as {@code FLAGS(open)} or {@code ENUM(whence)}; {@link #get(String)} resolves those names.
 *
 * <p>Values are the kernel's x86-64 UAPI values. Order within a bit set is strace's print order
 * (multi-bit names first where they overlap single bits).
 */
public final class Constants {
    private Constants() {
    }

    private static final Map<String, Xlat> TABLES = new LinkedHashMap<>();

    private static Xlat reg(Xlat x) {
        if (TABLES.put(x.name(), x) != null) {
            throw new IllegalStateException("duplicate constant table " + x.name());
        }
        return x;
    }

    /** The access mode in the low two bits of open flags. */
    public static final Xlat OPEN_ACCESS_MODES = reg(Xlat.values("open_access_mode", "O_???")
            .add("O_RDONLY", 0).add("O_WRONLY", 1).add("O_RDWR", 2).add("O_ACCMODE", 3).build());

    private static Xlat.Builder openModeFlags(String name) {
        return Xlat.flags(name, "O_")
                .add("O_CREAT", 0100).add("O_EXCL", 0200).add("O_NOCTTY", 0400).add("O_TRUNC", 01000)
                .add("O_APPEND", 02000).add("O_NONBLOCK", 04000)
                // O_SYNC contains O_DSYNC's bit, so it must be tried first.
                .add("O_SYNC", 04010000).add("__O_SYNC", 04000000).add("O_DSYNC", 010000)
                .add("O_DIRECT", 040000).add("O_LARGEFILE", 0100000).add("O_NOFOLLOW", 0400000)
                .add("O_NOATIME", 01000000).add("O_CLOEXEC", 02000000).add("O_PATH", 010000000)
                // O_TMPFILE contains O_DIRECTORY's bit, so it must be tried first.
                .add("O_TMPFILE", 020200000).add("__O_TMPFILE", 020000000).add("O_DIRECTORY", 0200000)
                .add("FASYNC", 020000);
    }

    /** open/openat flags: the access mode always first (O_RDONLY is 0), then the flag bits. */
    public static final Xlat OPEN_FLAGS = reg(openModeFlags("open")
            .leadingField(3, OPEN_ACCESS_MODES).build());
    /** pipe2 flags: the open flag bits without an access mode (0 prints as 0). */
    public static final Xlat PIPE2_FLAGS = reg(openModeFlags("pipe2").build());
    public static final Xlat DUP3_FLAGS = reg(Xlat.flags("dup3", "O_???").add("O_CLOEXEC", 02000000).build());
    public static final Xlat FD_FLAGS = reg(Xlat.flags("fd_flags", "FD_???").add("FD_CLOEXEC", 1).build());

    public static final Xlat AT_FLAGS = reg(Xlat.flags("at", "AT_???")
            .add("AT_SYMLINK_NOFOLLOW", 0x100).add("AT_REMOVEDIR", 0x200).add("AT_SYMLINK_FOLLOW", 0x400)
            .add("AT_NO_AUTOMOUNT", 0x800).add("AT_EMPTY_PATH", 0x1000).add("AT_RECURSIVE", 0x8000).build());
    public static final Xlat FACCESSAT_FLAGS = reg(Xlat.flags("faccessat", "AT_???")
            .add("AT_SYMLINK_NOFOLLOW", 0x100).add("AT_EACCESS", 0x200).add("AT_EMPTY_PATH", 0x1000).build());
    public static final Xlat STATX_SYNC_TYPES = reg(Xlat.values("statx_sync", "AT_STATX_???")
            .add("AT_STATX_SYNC_AS_STAT", 0).add("AT_STATX_FORCE_SYNC", 0x2000)
            .add("AT_STATX_DONT_SYNC", 0x4000).build());
    /** statx flags: the sync type field first, then the AT_* bits. */
    public static final Xlat AT_STATX_FLAGS = reg(Xlat.flags("at_statx", "AT_???")
            .leadingField(0x6000, STATX_SYNC_TYPES)
            .add("AT_SYMLINK_NOFOLLOW", 0x100).add("AT_NO_AUTOMOUNT", 0x800).add("AT_EMPTY_PATH", 0x1000)
            .build());
    public static final Xlat STATX_MASK = reg(Xlat.flags("statx_mask", "STATX_???")
            .add("STATX_ALL", 0xfff).add("STATX_BASIC_STATS", 0x7ff)
            .add("STATX_TYPE", 0x1).add("STATX_MODE", 0x2).add("STATX_NLINK", 0x4).add("STATX_UID", 0x8)
            .add("STATX_GID", 0x10).add("STATX_ATIME", 0x20).add("STATX_MTIME", 0x40).add("STATX_CTIME", 0x80)
            .add("STATX_INO", 0x100).add("STATX_SIZE", 0x200).add("STATX_BLOCKS", 0x400)
            .add("STATX_BTIME", 0x800).add("STATX_MNT_ID", 0x1000).add("STATX_DIOALIGN", 0x2000)
            .add("STATX_MNT_ID_UNIQUE", 0x4000).add("STATX_SUBVOL", 0x8000).add("STATX_WRITE_ATOMIC", 0x10000)
            .add("STATX_DIO_READ_ALIGN", 0x20000).build());

    public static final Xlat ACCESS_MODES = reg(Xlat.flags("access", "?_OK")
            .add("F_OK", 0).add("R_OK", 4).add("W_OK", 2).add("X_OK", 1).build());

    public static final Xlat WHENCE = reg(Xlat.values("whence", "SEEK_???")
            .add("SEEK_SET", 0).add("SEEK_CUR", 1).add("SEEK_END", 2).add("SEEK_DATA", 3).add("SEEK_HOLE", 4)
            .build());

    public static final Xlat PROT = reg(Xlat.flags("prot", "PROT_???")
            .add("PROT_NONE", 0).add("PROT_READ", 1).add("PROT_WRITE", 2).add("PROT_EXEC", 4).add("PROT_SEM", 8)
            .add("PROT_GROWSDOWN", 0x01000000).add("PROT_GROWSUP", 0x02000000).build());

    public static final Xlat MMAP_TYPES = reg(Xlat.values("mmap_type", "MAP_???")
            .add("MAP_SHARED", 1).add("MAP_PRIVATE", 2).add("MAP_SHARED_VALIDATE", 3).add("MAP_DROPPABLE", 8)
            .build());
    /** mmap flags: the mapping type first, the flag bits, then the huge page size as N<<MAP_HUGE_SHIFT. */
    public static final Xlat MMAP_FLAGS = reg(Xlat.flags("mmap", "MAP_???")
            .leadingField(0xf, MMAP_TYPES)
            .add("MAP_FILE", 0).add("MAP_FIXED", 0x10).add("MAP_ANONYMOUS", 0x20).add("MAP_32BIT", 0x40).add("MAP_ABOVE4G", 0x80)
            .add("MAP_NORESERVE", 0x4000).add("MAP_POPULATE", 0x8000).add("MAP_NONBLOCK", 0x10000)
            .add("MAP_GROWSDOWN", 0x100).add("MAP_DENYWRITE", 0x800).add("MAP_EXECUTABLE", 0x1000)
            .add("MAP_LOCKED", 0x2000).add("MAP_STACK", 0x20000).add("MAP_HUGETLB", 0x40000)
            .add("MAP_SYNC", 0x80000).add("MAP_FIXED_NOREPLACE", 0x100000)
            .trailingField(0x3fL << 26, v -> (v >>> 26) + "<<MAP_HUGE_SHIFT")
            .build());
    public static final Xlat MREMAP_FLAGS = reg(Xlat.flags("mremap", "MREMAP_???")
            .add("MREMAP_MAYMOVE", 1).add("MREMAP_FIXED", 2).add("MREMAP_DONTUNMAP", 4).build());
    public static final Xlat MSYNC_FLAGS = reg(Xlat.flags("msync", "MS_???")
            .add("MS_ASYNC", 1).add("MS_INVALIDATE", 2).add("MS_SYNC", 4).build());
    public static final Xlat MADVISE = reg(Xlat.values("madvise", "MADV_???")
            .add("MADV_NORMAL", 0).add("MADV_RANDOM", 1).add("MADV_SEQUENTIAL", 2).add("MADV_WILLNEED", 3)
            .add("MADV_DONTNEED", 4).add("MADV_FREE", 8).add("MADV_REMOVE", 9).add("MADV_DONTFORK", 10)
            .add("MADV_DOFORK", 11).add("MADV_MERGEABLE", 12).add("MADV_UNMERGEABLE", 13)
            .add("MADV_HUGEPAGE", 14).add("MADV_NOHUGEPAGE", 15).add("MADV_DONTDUMP", 16).add("MADV_DODUMP", 17)
            .add("MADV_WIPEONFORK", 18).add("MADV_KEEPONFORK", 19).add("MADV_COLD", 20).add("MADV_PAGEOUT", 21)
            .add("MADV_POPULATE_READ", 22).add("MADV_POPULATE_WRITE", 23).add("MADV_DONTNEED_LOCKED", 24)
            .add("MADV_COLLAPSE", 25).add("MADV_HWPOISON", 100).add("MADV_SOFT_OFFLINE", 101)
            .add("MADV_GUARD_INSTALL", 102).add("MADV_GUARD_REMOVE", 103).build());
    public static final Xlat MLOCKALL = reg(Xlat.flags("mlockall", "MCL_???")
            .add("MCL_CURRENT", 1).add("MCL_FUTURE", 2).add("MCL_ONFAULT", 4).build());
    public static final Xlat MPOL_MODES = reg(Xlat.values("mpol_modes", "MPOL_???")
            .add("MPOL_DEFAULT", 0).add("MPOL_PREFERRED", 1).add("MPOL_BIND", 2).add("MPOL_INTERLEAVE", 3)
            .add("MPOL_LOCAL", 4).add("MPOL_PREFERRED_MANY", 5).build());
    /** A policy as set_mempolicy and mbind take it: the mode, then the mode flags in its high bits. */
    public static final Xlat MPOL_MODE = reg(Xlat.flags("mpol_mode", "MPOL_???")
            .leadingField(~0xe000L, MPOL_MODES)
            .add("MPOL_F_STATIC_NODES", 0x8000).add("MPOL_F_RELATIVE_NODES", 0x4000)
            .add("MPOL_F_NUMA_BALANCING", 0x2000).build());
    public static final Xlat GET_MEMPOLICY_FLAGS = reg(Xlat.flags("get_mempolicy", "MPOL_???")
            .add("MPOL_F_NODE", 1).add("MPOL_F_ADDR", 2).add("MPOL_F_MEMS_ALLOWED", 4).build());
    public static final Xlat MBIND_FLAGS = reg(Xlat.flags("mbind", "MPOL_???")
            .add("MPOL_MF_STRICT", 1).add("MPOL_MF_MOVE", 2).add("MPOL_MF_MOVE_ALL", 4).build());

    private static Xlat.Builder cloneFlags(String name) {
        return Xlat.flags(name, "CLONE_")
                .add("CLONE_VM", 0x100).add("CLONE_FS", 0x200).add("CLONE_FILES", 0x400)
                .add("CLONE_SIGHAND", 0x800).add("CLONE_PIDFD", 0x1000).add("CLONE_PTRACE", 0x2000)
                .add("CLONE_VFORK", 0x4000).add("CLONE_PARENT", 0x8000).add("CLONE_THREAD", 0x10000)
                .add("CLONE_NEWNS", 0x20000).add("CLONE_SYSVSEM", 0x40000).add("CLONE_SETTLS", 0x80000)
                .add("CLONE_PARENT_SETTID", 0x100000).add("CLONE_CHILD_CLEARTID", 0x200000)
                .add("CLONE_UNTRACED", 0x800000).add("CLONE_CHILD_SETTID", 0x1000000)
                .add("CLONE_NEWCGROUP", 0x2000000).add("CLONE_NEWUTS", 0x4000000).add("CLONE_NEWIPC", 0x8000000)
                .add("CLONE_NEWUSER", 0x10000000).add("CLONE_NEWPID", 0x20000000)
                .add("CLONE_NEWNET", 0x40000000).add("CLONE_IO", 0x80000000L);
    }

    /** clone(2) flags: the CLONE_* bits, then the exit signal kept in the low byte (…|SIGCHLD). */
    public static final Xlat CLONE_FLAGS = reg(cloneFlags("clone")
            .trailingField(0xff, v -> Signals.name(v).orElse(Long.toString(v))).build());
    /** unshare/setns flags: the same bits, no exit signal. */
    public static final Xlat UNSHARE_FLAGS = reg(cloneFlags("unshare").build());
    /** clone3 flags: 64 bits wide, the exit signal lives in its own field. */
    public static final Xlat CLONE3_FLAGS = reg(cloneFlags("clone3")
            .add("CLONE_CLEAR_SIGHAND", 0x100000000L).add("CLONE_INTO_CGROUP", 0x200000000L).build());

    public static final Xlat WAIT_OPTIONS = reg(Xlat.flags("wait", "W???")
            .add("WNOHANG", 1).add("WSTOPPED", 2).add("WEXITED", 4).add("WCONTINUED", 8)
            .add("WNOWAIT", 0x1000000).add("__WNOTHREAD", 0x20000000).add("__WALL", 0x40000000)
            .add("__WCLONE", 0x80000000L).build());
    public static final Xlat IDTYPE = reg(Xlat.values("idtype", "P_???")
            .add("P_ALL", 0).add("P_PID", 1).add("P_PGID", 2).add("P_PIDFD", 3).build());

    public static final Xlat SIGPROCMASK_HOW = reg(Xlat.values("sigprocmask_how", "SIG_???")
            .add("SIG_BLOCK", 0).add("SIG_UNBLOCK", 1).add("SIG_SETMASK", 2).build());
    public static final Xlat SIGACTION_FLAGS = reg(Xlat.flags("sigaction_flags", "SA_???")
            .add("SA_RESTORER", 0x04000000).add("SA_ONSTACK", 0x08000000).add("SA_RESTART", 0x10000000)
            .add("SA_INTERRUPT", 0x20000000).add("SA_NODEFER", 0x40000000).add("SA_RESETHAND", 0x80000000L).add("SA_SIGINFO", 4)
            .add("SA_NOCLDSTOP", 1).add("SA_NOCLDWAIT", 2).add("SA_UNSUPPORTED", 0x400)
            .add("SA_EXPOSE_TAGBITS", 0x800).build());
    public static final Xlat SIGALTSTACK_FLAGS = reg(Xlat.flags("sigaltstack_flags", "SS_???")
            .add("SS_ONSTACK", 1).add("SS_DISABLE", 2).add("SS_AUTODISARM", 0x80000000L).build());

    public static final Xlat FCNTL_COMMANDS = reg(Xlat.values("fcntl", "F_???")
            .add("F_DUPFD", 0).add("F_GETFD", 1).add("F_SETFD", 2).add("F_GETFL", 3).add("F_SETFL", 4)
            .add("F_GETLK", 5).add("F_SETLK", 6).add("F_SETLKW", 7).add("F_SETOWN", 8).add("F_GETOWN", 9)
            .add("F_SETSIG", 10).add("F_GETSIG", 11).add("F_SETOWN_EX", 15).add("F_GETOWN_EX", 16)
            .add("F_GETOWNER_UIDS", 17).add("F_OFD_GETLK", 36).add("F_OFD_SETLK", 37).add("F_OFD_SETLKW", 38)
            .add("F_SETLEASE", 1024).add("F_GETLEASE", 1025).add("F_NOTIFY", 1026).add("F_DUPFD_QUERY", 1027)
            .add("F_CREATED_QUERY", 1028).add("F_DUPFD_CLOEXEC", 1030).add("F_SETPIPE_SZ", 1031)
            .add("F_GETPIPE_SZ", 1032).add("F_ADD_SEALS", 1033).add("F_GET_SEALS", 1034)
            .add("F_GET_RW_HINT", 1035).add("F_SET_RW_HINT", 1036).add("F_GET_FILE_RW_HINT", 1037)
            .add("F_SET_FILE_RW_HINT", 1038).build());
    public static final Xlat FLOCK_OPS = reg(Xlat.flags("flock", "LOCK_???")
            .add("LOCK_SH", 1).add("LOCK_EX", 2).add("LOCK_NB", 4).add("LOCK_UN", 8).add("LOCK_MAND", 32)
            .add("LOCK_READ", 64).add("LOCK_WRITE", 128).build());

    /** A few common ioctl requests (terminal and FIO*); everything else prints in hex. */
    public static final Xlat IOCTL_REQUESTS = reg(Xlat.values("ioctl", "_IOC_???")
            .add("TCGETS", 0x5401).add("TCSETS", 0x5402).add("TCSETSW", 0x5403).add("TCSETSF", 0x5404)
            .add("TCGETA", 0x5405).add("TCSETA", 0x5406).add("TCSBRK", 0x5409).add("TCXONC", 0x540A)
            .add("TCFLSH", 0x540B).add("TIOCEXCL", 0x540C).add("TIOCNXCL", 0x540D).add("TIOCSCTTY", 0x540E)
            .add("TIOCGPGRP", 0x540F).add("TIOCSPGRP", 0x5410).add("TIOCOUTQ", 0x5411).add("TIOCSTI", 0x5412)
            .add("TIOCGWINSZ", 0x5413).add("TIOCSWINSZ", 0x5414).add("TIOCMGET", 0x5415)
            .add("FIONREAD", 0x541B).add("TIOCLINUX", 0x541C).add("TIOCCONS", 0x541D).add("FIONBIO", 0x5421)
            .add("TIOCNOTTY", 0x5422).add("TIOCGSID", 0x5429).add("TCGETS2", 0x802C542AL)
            .add("TIOCGPTN", 0x80045430L).add("TIOCSPTLCK", 0x40045431L).add("TIOCGPTPEER", 0x5441)
            .add("FIONCLEX", 0x5450).add("FIOCLEX", 0x5451).add("FIOASYNC", 0x5452)
            .add("FS_IOC_GETFLAGS", 0x80086601L).add("FS_IOC_SETFLAGS", 0x40086602L)
            // One number, two names: strace prints both (cp's reflink attempt).
            .add("BTRFS_IOC_CLONE or FICLONE", 0x40049409L).add("BLKGETSIZE64", 0x80081272L).build());

    public static final Xlat ADDRESS_FAMILIES = reg(Xlat.values("address_family", "AF_???")
            .add("AF_UNSPEC", 0).add("AF_UNIX", 1).add("AF_INET", 2).add("AF_AX25", 3).add("AF_IPX", 4)
            .add("AF_APPLETALK", 5).add("AF_NETROM", 6).add("AF_BRIDGE", 7).add("AF_ATMPVC", 8).add("AF_X25", 9)
            .add("AF_INET6", 10).add("AF_ROSE", 11).add("AF_DECnet", 12).add("AF_NETBEUI", 13)
            .add("AF_SECURITY", 14).add("AF_KEY", 15).add("AF_NETLINK", 16).add("AF_PACKET", 17)
            .add("AF_ASH", 18).add("AF_ECONET", 19).add("AF_ATMSVC", 20).add("AF_RDS", 21).add("AF_SNA", 22)
            .add("AF_IRDA", 23).add("AF_PPPOX", 24).add("AF_WANPIPE", 25).add("AF_LLC", 26).add("AF_IB", 27)
            .add("AF_MPLS", 28).add("AF_CAN", 29).add("AF_TIPC", 30).add("AF_BLUETOOTH", 31).add("AF_IUCV", 32)
            .add("AF_RXRPC", 33).add("AF_ISDN", 34).add("AF_PHONET", 35).add("AF_IEEE802154", 36)
            .add("AF_CAIF", 37).add("AF_ALG", 38).add("AF_NFC", 39).add("AF_VSOCK", 40).add("AF_KCM", 41)
            .add("AF_QIPCRTR", 42).add("AF_SMC", 43).add("AF_XDP", 44).add("AF_MCTP", 45).build());
    public static final Xlat SOCKET_TYPES = reg(Xlat.values("socket_type_value", "SOCK_???")
            .add("SOCK_STREAM", 1).add("SOCK_DGRAM", 2).add("SOCK_RAW", 3).add("SOCK_RDM", 4)
            .add("SOCK_SEQPACKET", 5).add("SOCK_DCCP", 6).add("SOCK_PACKET", 10).build());
    /** socket(2) type: the type in the low four bits, then SOCK_CLOEXEC and SOCK_NONBLOCK. */
    public static final Xlat SOCKET_TYPE_FLAGS = reg(Xlat.flags("socket_type", "SOCK_???")
            .leadingField(0xf, SOCKET_TYPES)
            .add("SOCK_CLOEXEC", 02000000).add("SOCK_NONBLOCK", 04000).build());
    public static final Xlat SOCKET_FLAGS = reg(Xlat.flags("socket_flags", "SOCK_???")
            .add("SOCK_CLOEXEC", 02000000).add("SOCK_NONBLOCK", 04000).build());
    public static final Xlat IP_PROTOCOLS = reg(Xlat.values("ip_protocol", "IPPROTO_???")
            .add("IPPROTO_IP", 0).add("IPPROTO_ICMP", 1).add("IPPROTO_IGMP", 2).add("IPPROTO_IPIP", 4)
            .add("IPPROTO_TCP", 6).add("IPPROTO_EGP", 8).add("IPPROTO_PUP", 12).add("IPPROTO_UDP", 17)
            .add("IPPROTO_IDP", 22).add("IPPROTO_TP", 29).add("IPPROTO_DCCP", 33).add("IPPROTO_IPV6", 41)
            .add("IPPROTO_RSVP", 46).add("IPPROTO_GRE", 47).add("IPPROTO_ESP", 50).add("IPPROTO_AH", 51)
            .add("IPPROTO_ICMPV6", 58).add("IPPROTO_MTP", 92).add("IPPROTO_BEETPH", 94)
            .add("IPPROTO_ENCAP", 98).add("IPPROTO_PIM", 103).add("IPPROTO_COMP", 108).add("IPPROTO_L2TP", 115)
            .add("IPPROTO_SCTP", 132).add("IPPROTO_UDPLITE", 136).add("IPPROTO_MPLS", 137)
            .add("IPPROTO_ETHERNET", 143).add("IPPROTO_RAW", 255).add("IPPROTO_MPTCP", 262).build());
    public static final Xlat NETLINK_PROTOCOLS = reg(Xlat.values("netlink_protocol", "NETLINK_???").decimal()
            .add("NETLINK_ROUTE", 0).add("NETLINK_UNUSED", 1).add("NETLINK_USERSOCK", 2)
            .add("NETLINK_FIREWALL", 3).add("NETLINK_SOCK_DIAG", 4).add("NETLINK_NFLOG", 5)
            .add("NETLINK_XFRM", 6).add("NETLINK_SELINUX", 7).add("NETLINK_ISCSI", 8).add("NETLINK_AUDIT", 9)
            .add("NETLINK_FIB_LOOKUP", 10).add("NETLINK_CONNECTOR", 11).add("NETLINK_NETFILTER", 12)
            .add("NETLINK_IP6_FW", 13).add("NETLINK_DNRTMSG", 14).add("NETLINK_KOBJECT_UEVENT", 15)
            .add("NETLINK_GENERIC", 16).add("NETLINK_SCSITRANSPORT", 18).add("NETLINK_ECRYPTFS", 19)
            .add("NETLINK_RDMA", 20).add("NETLINK_CRYPTO", 21).add("NETLINK_SMC", 22).build());
    public static final Xlat MSG_FLAGS = reg(Xlat.flags("msg", "MSG_???")
            .add("MSG_OOB", 1).add("MSG_PEEK", 2).add("MSG_DONTROUTE", 4).add("MSG_CTRUNC", 8)
            .add("MSG_PROXY", 0x10).add("MSG_TRUNC", 0x20).add("MSG_DONTWAIT", 0x40).add("MSG_EOR", 0x80)
            .add("MSG_WAITALL", 0x100).add("MSG_FIN", 0x200).add("MSG_SYN", 0x400).add("MSG_CONFIRM", 0x800)
            .add("MSG_RST", 0x1000).add("MSG_ERRQUEUE", 0x2000).add("MSG_NOSIGNAL", 0x4000)
            .add("MSG_MORE", 0x8000).add("MSG_WAITFORONE", 0x10000).add("MSG_BATCH", 0x40000)
            .add("MSG_SOCK_DEVMEM", 0x2000000).add("MSG_ZEROCOPY", 0x4000000).add("MSG_FASTOPEN", 0x20000000)
            .add("MSG_CMSG_CLOEXEC", 0x40000000).build());
    /** cmsg_type of SOL_SOCKET control messages (strace's scmvals). */
    public static final Xlat SCM_TYPES = reg(Xlat.values("scm", "SCM_???")
            .add("SCM_RIGHTS", 1).add("SCM_CREDENTIALS", 2).add("SCM_SECURITY", 3).add("SO_TIMESTAMP_OLD", 29)
            .add("SO_TIMESTAMPNS_OLD", 35).add("SO_TIMESTAMPING_OLD", 37).add("SO_TIMESTAMP_NEW", 63)
            .add("SO_TIMESTAMPNS_NEW", 64).add("SO_TIMESTAMPING_NEW", 65).build());
    public static final Xlat SHUTDOWN_HOW = reg(Xlat.values("shutdown", "SHUT_???")
            .add("SHUT_RD", 0).add("SHUT_WR", 1).add("SHUT_RDWR", 2).build());
    public static final Xlat SOCKET_LEVELS = reg(Xlat.values("socket_level", "SOL_???").decimal()
            .add("SOL_IP", 0).add("SOL_SOCKET", 1).add("SOL_TCP", 6).add("SOL_UDP", 17).add("SOL_IPV6", 41)
            .add("SOL_ICMPV6", 58).add("SOL_SCTP", 132).add("SOL_UDPLITE", 136).add("SOL_RAW", 255)
            .add("SOL_PACKET", 263).add("SOL_NETLINK", 270).add("SOL_ALG", 279).add("SOL_TLS", 282).build());
    public static final Xlat SOL_SOCKET_OPTIONS = reg(Xlat.values("sol_socket_option", "SO_???").decimal()
            .add("SO_DEBUG", 1).add("SO_REUSEADDR", 2).add("SO_TYPE", 3).add("SO_ERROR", 4)
            .add("SO_DONTROUTE", 5).add("SO_BROADCAST", 6).add("SO_SNDBUF", 7).add("SO_RCVBUF", 8)
            .add("SO_KEEPALIVE", 9).add("SO_OOBINLINE", 10).add("SO_NO_CHECK", 11).add("SO_PRIORITY", 12)
            .add("SO_LINGER", 13).add("SO_BSDCOMPAT", 14).add("SO_REUSEPORT", 15).add("SO_PASSCRED", 16)
            .add("SO_PEERCRED", 17).add("SO_RCVLOWAT", 18).add("SO_SNDLOWAT", 19).add("SO_RCVTIMEO_OLD", 20)
            .add("SO_SNDTIMEO_OLD", 21).add("SO_BINDTODEVICE", 25).add("SO_ATTACH_FILTER", 26)
            .add("SO_DETACH_FILTER", 27).add("SO_PEERNAME", 28).add("SO_TIMESTAMP_OLD", 29)
            .add("SO_ACCEPTCONN", 30).add("SO_PEERSEC", 31).add("SO_SNDBUFFORCE", 32)
            .add("SO_RCVBUFFORCE", 33).add("SO_PASSSEC", 34).add("SO_MARK", 36).add("SO_PROTOCOL", 38)
            .add("SO_DOMAIN", 39).add("SO_BUSY_POLL", 46).add("SO_INCOMING_CPU", 49).add("SO_ZEROCOPY", 60)
            .build());
    public static final Xlat TCP_OPTIONS = reg(Xlat.values("tcp_option", "TCP_???").decimal()
            .add("TCP_NODELAY", 1).add("TCP_MAXSEG", 2).add("TCP_CORK", 3).add("TCP_KEEPIDLE", 4)
            .add("TCP_KEEPINTVL", 5).add("TCP_KEEPCNT", 6).add("TCP_SYNCNT", 7).add("TCP_LINGER2", 8)
            .add("TCP_DEFER_ACCEPT", 9).add("TCP_WINDOW_CLAMP", 10).add("TCP_INFO", 11).add("TCP_QUICKACK", 12)
            .add("TCP_CONGESTION", 13).add("TCP_USER_TIMEOUT", 18).add("TCP_FASTOPEN", 23).build());

    public static final Xlat IP_OPTIONS = reg(Xlat.values("ip_option", "IP_???").decimal()
            .add("IP_TOS", 1).add("IP_TTL", 2).add("IP_HDRINCL", 3).add("IP_OPTIONS", 4).add("IP_RECVOPTS", 6)
            .add("IP_RETOPTS", 7).add("IP_PKTINFO", 8).add("IP_PKTOPTIONS", 9).add("IP_MTU_DISCOVER", 10)
            .add("IP_RECVERR", 11).add("IP_RECVTTL", 12).add("IP_RECVTOS", 13).add("IP_MTU", 14)
            .add("IP_FREEBIND", 15).add("IP_TRANSPARENT", 19).add("IP_BIND_ADDRESS_NO_PORT", 24)
            .add("IP_MULTICAST_IF", 32).add("IP_MULTICAST_TTL", 33).add("IP_MULTICAST_LOOP", 34)
            .add("IP_ADD_MEMBERSHIP", 35).add("IP_DROP_MEMBERSHIP", 36).build());
    public static final Xlat IPV6_OPTIONS = reg(Xlat.values("ipv6_option", "IPV6_???").decimal()
            .add("IPV6_UNICAST_HOPS", 16).add("IPV6_MULTICAST_IF", 17).add("IPV6_MULTICAST_HOPS", 18)
            .add("IPV6_MULTICAST_LOOP", 19).add("IPV6_ADD_MEMBERSHIP", 20).add("IPV6_DROP_MEMBERSHIP", 21)
            .add("IPV6_MTU_DISCOVER", 23).add("IPV6_MTU", 24).add("IPV6_RECVERR", 25).add("IPV6_V6ONLY", 26)
            .add("IPV6_RECVPKTINFO", 49).add("IPV6_PKTINFO", 50).add("IPV6_TCLASS", 67).build());

    public static final Xlat RLIMIT_RESOURCES = reg(Xlat.values("rlimit", "RLIMIT_???")
            .add("RLIMIT_CPU", 0).add("RLIMIT_FSIZE", 1).add("RLIMIT_DATA", 2).add("RLIMIT_STACK", 3)
            .add("RLIMIT_CORE", 4).add("RLIMIT_RSS", 5).add("RLIMIT_NPROC", 6).add("RLIMIT_NOFILE", 7)
            .add("RLIMIT_MEMLOCK", 8).add("RLIMIT_AS", 9).add("RLIMIT_LOCKS", 10).add("RLIMIT_SIGPENDING", 11)
            .add("RLIMIT_MSGQUEUE", 12).add("RLIMIT_NICE", 13).add("RLIMIT_RTPRIO", 14).add("RLIMIT_RTTIME", 15)
            .build());
    public static final Xlat RUSAGE_WHO = reg(Xlat.values("rusage_who", "RUSAGE_???").decimal()
            .add("RUSAGE_SELF", 0).add("RUSAGE_CHILDREN", -1).add("RUSAGE_THREAD", 1).build());
    public static final Xlat ITIMER_WHICH = reg(Xlat.values("itimer", "ITIMER_???")
            .add("ITIMER_REAL", 0).add("ITIMER_VIRTUAL", 1).add("ITIMER_PROF", 2).build());
    public static final Xlat PRIORITY_WHICH = reg(Xlat.values("priority_which", "PRIO_???")
            .add("PRIO_PROCESS", 0).add("PRIO_PGRP", 1).add("PRIO_USER", 2).build());
    public static final Xlat SCHED_POLICIES = reg(Xlat.values("sched_policy", "SCHED_???")
            .add("SCHED_OTHER", 0).add("SCHED_FIFO", 1).add("SCHED_RR", 2).add("SCHED_BATCH", 3)
            .add("SCHED_ISO", 4).add("SCHED_IDLE", 5).add("SCHED_DEADLINE", 6).add("SCHED_EXT", 7).build());
    public static final Xlat PTRACE_REQUESTS = reg(Xlat.values("ptrace", "PTRACE_???")
            .add("PTRACE_TRACEME", 0).add("PTRACE_PEEKTEXT", 1).add("PTRACE_PEEKDATA", 2)
            .add("PTRACE_PEEKUSER", 3).add("PTRACE_POKETEXT", 4).add("PTRACE_POKEDATA", 5)
            .add("PTRACE_POKEUSER", 6).add("PTRACE_CONT", 7).add("PTRACE_KILL", 8).add("PTRACE_SINGLESTEP", 9)
            .add("PTRACE_GETREGS", 12).add("PTRACE_SETREGS", 13).add("PTRACE_ATTACH", 16)
            .add("PTRACE_DETACH", 17).add("PTRACE_SYSCALL", 24).add("PTRACE_SETOPTIONS", 0x4200)
            .add("PTRACE_GETEVENTMSG", 0x4201).add("PTRACE_GETSIGINFO", 0x4202).add("PTRACE_SETSIGINFO", 0x4203)
            .add("PTRACE_GETREGSET", 0x4204).add("PTRACE_SETREGSET", 0x4205).add("PTRACE_SEIZE", 0x4206)
            .add("PTRACE_INTERRUPT", 0x4207).add("PTRACE_LISTEN", 0x4208)
            .add("PTRACE_GETFPREGS", 14).add("PTRACE_SETFPREGS", 15).add("PTRACE_GETFPXREGS", 18)
            .add("PTRACE_SETFPXREGS", 19).add("PTRACE_GET_THREAD_AREA", 25).add("PTRACE_SET_THREAD_AREA", 26)
            .add("PTRACE_ARCH_PRCTL", 30).add("PTRACE_SYSEMU", 31).add("PTRACE_SYSEMU_SINGLESTEP", 32)
            .add("PTRACE_SINGLEBLOCK", 33).add("PTRACE_PEEKSIGINFO", 0x4209).add("PTRACE_GETSIGMASK", 0x420a)
            .add("PTRACE_SETSIGMASK", 0x420b).add("PTRACE_SECCOMP_GET_FILTER", 0x420c)
            .add("PTRACE_SECCOMP_GET_METADATA", 0x420d).add("PTRACE_GET_SYSCALL_INFO", 0x420e)
            .add("PTRACE_GET_RSEQ_CONFIGURATION", 0x420f).add("PTRACE_OLDSETOPTIONS", 0x15).build());
    /** PTRACE_SEIZE's and PTRACE_SETOPTIONS's data. */
    public static final Xlat PTRACE_OPTIONS = reg(Xlat.flags("ptrace_options", "PTRACE_O_???")
            .add("PTRACE_O_TRACESYSGOOD", 1).add("PTRACE_O_TRACEFORK", 2).add("PTRACE_O_TRACEVFORK", 4)
            .add("PTRACE_O_TRACECLONE", 8).add("PTRACE_O_TRACEEXEC", 0x10).add("PTRACE_O_TRACEVFORKDONE", 0x20)
            .add("PTRACE_O_TRACEEXIT", 0x40).add("PTRACE_O_TRACESECCOMP", 0x80).add("PTRACE_O_EXITKILL", 0x100000)
            .add("PTRACE_O_SUSPEND_SECCOMP", 0x200000).build());
    /** PTRACE_GETREGSET's and PTRACE_SETREGSET's addr: the ELF note types strace 6.1 names on x86-64. */
    public static final Xlat NT_TYPES = reg(Xlat.values("nt_types", "NT_???")
            .add("NT_PRSTATUS", 1).add("NT_FPREGSET", 2).add("NT_PRPSINFO", 3).add("NT_PRXREG", 4)
            .add("NT_AUXV", 6).add("NT_PSTATUS", 10).add("NT_PRFPXREG", 20).add("NT_386_TLS", 0x200)
            .add("NT_386_IOPERM", 0x201).add("NT_X86_XSTATE", 0x202).add("NT_FILE", 0x46494c45).add("NT_PRXFPREG", 0x46e62b7f)
            .add("NT_SIGINFO", 0x53494749).build());
    /** struct ptrace_syscall_info's op. */
    public static final Xlat PTRACE_SYSCALL_INFO_OPS = reg(Xlat.values("ptrace_syscall_info_op", "PTRACE_SYSCALL_INFO_???")
            .add("PTRACE_SYSCALL_INFO_NONE", 0).add("PTRACE_SYSCALL_INFO_ENTRY", 1).add("PTRACE_SYSCALL_INFO_EXIT", 2)
            .add("PTRACE_SYSCALL_INFO_SECCOMP", 3).build());
    /** The audit architectures a syscall can come from on x86-64. */
    public static final Xlat AUDIT_ARCHES = reg(Xlat.values("audit_arch", "AUDIT_ARCH_???")
            .add("AUDIT_ARCH_X86_64", 0xc000003eL).add("AUDIT_ARCH_I386", 0x40000003).build());

    public static final Xlat PRCTL_OPTIONS = reg(Xlat.values("prctl", "PR_???")
            .add("PR_SET_PDEATHSIG", 1).add("PR_GET_PDEATHSIG", 2).add("PR_GET_DUMPABLE", 3)
            .add("PR_SET_DUMPABLE", 4).add("PR_GET_UNALIGN", 5).add("PR_SET_UNALIGN", 6)
            .add("PR_GET_KEEPCAPS", 7).add("PR_SET_KEEPCAPS", 8).add("PR_GET_FPEMU", 9).add("PR_SET_FPEMU", 10)
            .add("PR_GET_FPEXC", 11).add("PR_SET_FPEXC", 12).add("PR_GET_TIMING", 13).add("PR_SET_TIMING", 14)
            .add("PR_SET_NAME", 15).add("PR_GET_NAME", 16).add("PR_GET_ENDIAN", 19).add("PR_SET_ENDIAN", 20)
            .add("PR_GET_SECCOMP", 21).add("PR_SET_SECCOMP", 22).add("PR_CAPBSET_READ", 23)
            .add("PR_CAPBSET_DROP", 24).add("PR_GET_TSC", 25).add("PR_SET_TSC", 26)
            .add("PR_GET_SECUREBITS", 27).add("PR_SET_SECUREBITS", 28).add("PR_SET_TIMERSLACK", 29)
            .add("PR_GET_TIMERSLACK", 30).add("PR_TASK_PERF_EVENTS_DISABLE", 31)
            .add("PR_TASK_PERF_EVENTS_ENABLE", 32).add("PR_MCE_KILL", 33).add("PR_MCE_KILL_GET", 34)
            .add("PR_SET_MM", 35).add("PR_SET_CHILD_SUBREAPER", 36).add("PR_GET_CHILD_SUBREAPER", 37)
            .add("PR_SET_NO_NEW_PRIVS", 38).add("PR_GET_NO_NEW_PRIVS", 39).add("PR_GET_TID_ADDRESS", 40)
            .add("PR_SET_THP_DISABLE", 41).add("PR_GET_THP_DISABLE", 42).add("PR_SET_FP_MODE", 45)
            .add("PR_GET_FP_MODE", 46).add("PR_CAP_AMBIENT", 47).add("PR_GET_SPECULATION_CTRL", 52)
            .add("PR_SET_SPECULATION_CTRL", 53).add("PR_SET_IO_FLUSHER", 57).add("PR_GET_IO_FLUSHER", 58)
            .add("PR_SET_SYSCALL_USER_DISPATCH", 59).add("PR_SCHED_CORE", 62).add("PR_SET_VMA", 0x53564d41)
            .build());
    public static final Xlat ARCH_PRCTL_CODES = reg(Xlat.values("arch_prctl", "ARCH_???")
            .add("ARCH_SET_GS", 0x1001).add("ARCH_SET_FS", 0x1002).add("ARCH_GET_FS", 0x1003)
            .add("ARCH_GET_GS", 0x1004).add("ARCH_GET_CPUID", 0x1011).add("ARCH_SET_CPUID", 0x1012)
            .add("ARCH_GET_XCOMP_SUPP", 0x1021).add("ARCH_GET_XCOMP_PERM", 0x1022)
            .add("ARCH_REQ_XCOMP_PERM", 0x1023).add("ARCH_GET_XCOMP_GUEST_PERM", 0x1024)
            .add("ARCH_REQ_XCOMP_GUEST_PERM", 0x1025).add("ARCH_MAP_VDSO_X32", 0x2001)
            .add("ARCH_MAP_VDSO_32", 0x2002).add("ARCH_MAP_VDSO_64", 0x2003).add("ARCH_GET_UNTAG_MASK", 0x4001)
            .add("ARCH_ENABLE_TAGGED_ADDR", 0x4002).add("ARCH_GET_MAX_TAG_BITS", 0x4003)
            .add("ARCH_FORCE_TAGGED_SVA", 0x4004).add("ARCH_SHSTK_ENABLE", 0x5001)
            .add("ARCH_SHSTK_DISABLE", 0x5002).add("ARCH_SHSTK_LOCK", 0x5003).add("ARCH_SHSTK_UNLOCK", 0x5004)
            .add("ARCH_SHSTK_STATUS", 0x5005).build());

    /** futex commands (the op without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME). */
    public static final Xlat FUTEX_COMMANDS = reg(Xlat.values("futex_cmd", "FUTEX_???")
            .add("FUTEX_WAIT", 0).add("FUTEX_WAKE", 1).add("FUTEX_FD", 2).add("FUTEX_REQUEUE", 3)
            .add("FUTEX_CMP_REQUEUE", 4).add("FUTEX_WAKE_OP", 5).add("FUTEX_LOCK_PI", 6)
            .add("FUTEX_UNLOCK_PI", 7).add("FUTEX_TRYLOCK_PI", 8).add("FUTEX_WAIT_BITSET", 9)
            .add("FUTEX_WAKE_BITSET", 10).add("FUTEX_WAIT_REQUEUE_PI", 11).add("FUTEX_CMP_REQUEUE_PI", 12)
            .add("FUTEX_LOCK_PI2", 13).build());
    public static final int FUTEX_PRIVATE_FLAG = 128;
    public static final int FUTEX_CLOCK_REALTIME = 256;

    public static final Xlat CLOCK_IDS = reg(Xlat.values("clockid", "CLOCK_???")
            .add("CLOCK_REALTIME", 0).add("CLOCK_MONOTONIC", 1).add("CLOCK_PROCESS_CPUTIME_ID", 2)
            .add("CLOCK_THREAD_CPUTIME_ID", 3).add("CLOCK_MONOTONIC_RAW", 4).add("CLOCK_REALTIME_COARSE", 5)
            .add("CLOCK_MONOTONIC_COARSE", 6).add("CLOCK_BOOTTIME", 7).add("CLOCK_REALTIME_ALARM", 8)
            .add("CLOCK_BOOTTIME_ALARM", 9).add("CLOCK_SGI_CYCLE", 10).add("CLOCK_TAI", 11).build());
    public static final Xlat SIGEV_NOTIFY = reg(Xlat.values("sigev_notify", "SIGEV_???")
            .add("SIGEV_SIGNAL", 0).add("SIGEV_NONE", 1).add("SIGEV_THREAD", 2).add("SIGEV_THREAD_ID", 4).build());
    public static final Xlat TIMER_FLAGS = reg(Xlat.flags("timer", "TIMER_???").add("TIMER_ABSTIME", 1).build());
    public static final Xlat TIMERFD_FLAGS = reg(Xlat.flags("timerfd", "TFD_???")
            .add("TFD_CLOEXEC", 02000000).add("TFD_NONBLOCK", 04000).build());
    public static final Xlat TIMERFD_SETTIME_FLAGS = reg(Xlat.flags("timerfd_settime", "TFD_TIMER_???")
            .add("TFD_TIMER_ABSTIME", 1).add("TFD_TIMER_CANCEL_ON_SET", 2).build());

    public static final Xlat POLL_EVENTS = reg(Xlat.flags("poll_events", "POLL???")
            .add("POLLIN", 1).add("POLLPRI", 2).add("POLLOUT", 4).add("POLLERR", 8).add("POLLHUP", 0x10)
            .add("POLLNVAL", 0x20).add("POLLRDNORM", 0x40).add("POLLRDBAND", 0x80).add("POLLWRNORM", 0x100)
            .add("POLLWRBAND", 0x200).add("POLLMSG", 0x400).add("POLLREMOVE", 0x1000).add("POLLRDHUP", 0x2000)
            .build());
    public static final Xlat EPOLL_CTL_OPS = reg(Xlat.values("epoll_ctl", "EPOLL_CTL_???")
            .add("EPOLL_CTL_ADD", 1).add("EPOLL_CTL_DEL", 2).add("EPOLL_CTL_MOD", 3).build());
    public static final Xlat EPOLL_EVENTS = reg(Xlat.flags("epoll_events", "EPOLL???")
            .add("EPOLLIN", 1).add("EPOLLPRI", 2).add("EPOLLOUT", 4).add("EPOLLERR", 8).add("EPOLLHUP", 0x10)
            .add("EPOLLNVAL", 0x20).add("EPOLLRDNORM", 0x40).add("EPOLLRDBAND", 0x80).add("EPOLLWRNORM", 0x100)
            .add("EPOLLWRBAND", 0x200).add("EPOLLMSG", 0x400).add("EPOLLRDHUP", 0x2000)
            .add("EPOLLURING_WAKE", 0x8000000).add("EPOLLEXCLUSIVE", 0x10000000).add("EPOLLWAKEUP", 0x20000000)
            .add("EPOLLONESHOT", 0x40000000).add("EPOLLET", 0x80000000L).build());
    public static final Xlat EPOLL_CREATE_FLAGS = reg(Xlat.flags("epoll_create", "EPOLL_???")
            .add("EPOLL_CLOEXEC", 02000000).build());
    public static final Xlat EVENTFD_FLAGS = reg(Xlat.flags("eventfd", "EFD_???")
            .add("EFD_SEMAPHORE", 1).add("EFD_CLOEXEC", 02000000).add("EFD_NONBLOCK", 04000).build());
    public static final Xlat SIGNALFD_FLAGS = reg(Xlat.flags("signalfd", "SFD_???")
            .add("SFD_CLOEXEC", 02000000).add("SFD_NONBLOCK", 04000).build());
    public static final Xlat INOTIFY_INIT_FLAGS = reg(Xlat.flags("inotify_init", "IN_???")
            .add("IN_CLOEXEC", 02000000).add("IN_NONBLOCK", 04000).build());
    public static final Xlat USERFAULTFD_FLAGS = reg(Xlat.flags("userfaultfd", "O_???")
            .add("O_NONBLOCK", 04000).add("O_CLOEXEC", 02000000).add("UFFD_USER_MODE_ONLY", 1).build());
    public static final Xlat INOTIFY_MASK = reg(Xlat.flags("inotify", "IN_???")
            .add("IN_ACCESS", 1).add("IN_MODIFY", 2).add("IN_ATTRIB", 4).add("IN_CLOSE_WRITE", 8)
            .add("IN_CLOSE_NOWRITE", 0x10).add("IN_OPEN", 0x20).add("IN_MOVED_FROM", 0x40).add("IN_MOVED_TO", 0x80)
            .add("IN_CREATE", 0x100).add("IN_DELETE", 0x200).add("IN_DELETE_SELF", 0x400)
            .add("IN_MOVE_SELF", 0x800).add("IN_UNMOUNT", 0x2000).add("IN_Q_OVERFLOW", 0x4000)
            .add("IN_IGNORED", 0x8000).add("IN_ONLYDIR", 0x1000000).add("IN_DONT_FOLLOW", 0x2000000)
            .add("IN_EXCL_UNLINK", 0x4000000).add("IN_MASK_CREATE", 0x10000000).add("IN_MASK_ADD", 0x20000000)
            .add("IN_ISDIR", 0x40000000).add("IN_ONESHOT", 0x80000000L).build());

    public static final Xlat UMOUNT_FLAGS = reg(Xlat.flags("umount", "MNT_???")
            .add("MNT_FORCE", 1).add("MNT_DETACH", 2).add("MNT_EXPIRE", 4).add("UMOUNT_NOFOLLOW", 8).build());
    public static final Xlat XATTR_FLAGS = reg(Xlat.flags("xattr", "XATTR_???")
            .add("XATTR_CREATE", 1).add("XATTR_REPLACE", 2).build());
    public static final Xlat SPLICE_FLAGS = reg(Xlat.flags("splice", "SPLICE_F_???")
            .add("SPLICE_F_MOVE", 1).add("SPLICE_F_NONBLOCK", 2).add("SPLICE_F_MORE", 4).add("SPLICE_F_GIFT", 8)
            .build());
    public static final Xlat FALLOCATE_FLAGS = reg(Xlat.flags("fallocate", "FALLOC_FL_???")
            .add("FALLOC_FL_KEEP_SIZE", 1).add("FALLOC_FL_PUNCH_HOLE", 2).add("FALLOC_FL_NO_HIDE_STALE", 4)
            .add("FALLOC_FL_COLLAPSE_RANGE", 8).add("FALLOC_FL_ZERO_RANGE", 0x10)
            .add("FALLOC_FL_INSERT_RANGE", 0x20).add("FALLOC_FL_UNSHARE_RANGE", 0x40).build());
    public static final Xlat FADVISE_ADVICE = reg(Xlat.values("fadvise", "POSIX_FADV_???")
            .add("POSIX_FADV_NORMAL", 0).add("POSIX_FADV_RANDOM", 1).add("POSIX_FADV_SEQUENTIAL", 2)
            .add("POSIX_FADV_WILLNEED", 3).add("POSIX_FADV_DONTNEED", 4).add("POSIX_FADV_NOREUSE", 5).build());
    public static final Xlat RENAME_FLAGS = reg(Xlat.flags("rename", "RENAME_???")
            .add("RENAME_NOREPLACE", 1).add("RENAME_EXCHANGE", 2).add("RENAME_WHITEOUT", 4).build());
    public static final Xlat GETRANDOM_FLAGS = reg(Xlat.flags("getrandom", "GRND_???")
            .add("GRND_NONBLOCK", 1).add("GRND_RANDOM", 2).add("GRND_INSECURE", 4).build());
    public static final Xlat MEMFD_FLAGS = reg(Xlat.flags("memfd", "MFD_???")
            .add("MFD_CLOEXEC", 1).add("MFD_ALLOW_SEALING", 2).add("MFD_HUGETLB", 4).add("MFD_NOEXEC_SEAL", 8)
            .add("MFD_EXEC", 0x10).build());
    public static final Xlat STATX_ATTRIBUTES = reg(Xlat.flags("statx_attributes", "STATX_ATTR_???")
            .add("STATX_ATTR_COMPRESSED", 0x4).add("STATX_ATTR_IMMUTABLE", 0x10).add("STATX_ATTR_APPEND", 0x20)
            .add("STATX_ATTR_NODUMP", 0x40).add("STATX_ATTR_ENCRYPTED", 0x800).add("STATX_ATTR_AUTOMOUNT", 0x1000)
            .add("STATX_ATTR_MOUNT_ROOT", 0x2000).add("STATX_ATTR_VERITY", 0x100000).add("STATX_ATTR_DAX", 0x200000)
            .add("STATX_ATTR_WRITE_ATOMIC", 0x400000).build());
    public static final Xlat RESOLVE_FLAGS = reg(Xlat.flags("resolve", "RESOLVE_???")
            .add("RESOLVE_NO_XDEV", 1).add("RESOLVE_NO_MAGICLINKS", 2).add("RESOLVE_NO_SYMLINKS", 4)
            .add("RESOLVE_BENEATH", 8).add("RESOLVE_IN_ROOT", 0x10).add("RESOLVE_CACHED", 0x20).build());
    public static final Xlat CLOSE_RANGE_FLAGS = reg(Xlat.flags("close_range", "CLOSE_RANGE_???")
            .add("CLOSE_RANGE_UNSHARE", 2).add("CLOSE_RANGE_CLOEXEC", 4).build());

    // Terminal attributes (struct termios), in strace's print order.
    public static final Xlat TERM_IFLAGS = reg(Xlat.flags("term_iflags", "???")
            .add("IGNBRK", 01).add("BRKINT", 02).add("IGNPAR", 04).add("PARMRK", 010).add("INPCK", 020)
            .add("ISTRIP", 040).add("INLCR", 0100).add("IGNCR", 0200).add("ICRNL", 0400).add("IUCLC", 01000)
            .add("IXON", 02000).add("IXANY", 04000).add("IXOFF", 010000).add("IMAXBEL", 020000)
            .add("IUTF8", 040000).build());
    public static final Xlat TERM_OFLAGS = reg(Xlat.flags("term_oflags", "???")
            .add("OPOST", 01).add("OLCUC", 02).add("ONLCR", 04).add("OCRNL", 010).add("ONOCR", 020)
            .add("ONLRET", 040).add("OFILL", 0100).add("OFDEL", 0200).build());
    /** The output delay fields of c_oflag, printed before its flags: mask, then names by value. */
    public static final Xlat[] TERM_ODELAYS = {
        reg(Xlat.values("term_nldly", "NL???").add("NL0", 0).add("NL1", 0100).build()),
        reg(Xlat.values("term_crdly", "CR???").add("CR0", 0).add("CR1", 01000).add("CR2", 02000).add("CR3", 03000)
                .build()),
        reg(Xlat.values("term_tabdly", "TAB???").add("TAB0", 0).add("TAB1", 04000).add("TAB2", 010000)
                .add("TAB3", 014000).build()),
        reg(Xlat.values("term_bsdly", "BS???").add("BS0", 0).add("BS1", 020000).build()),
        reg(Xlat.values("term_vtdly", "VT???").add("VT0", 0).add("VT1", 040000).build()),
        reg(Xlat.values("term_ffdly", "FF???").add("FF0", 0).add("FF1", 0100000).build()),
    };
    public static final long[] TERM_ODELAY_MASKS = {0100, 03000, 014000, 020000, 040000, 0100000};
    public static final Xlat TERM_BAUD = reg(Xlat.values("term_baud", "B???")
            .add("B0", 0).add("B50", 01).add("B75", 02).add("B110", 03).add("B134", 04).add("B150", 05)
            .add("B200", 06).add("B300", 07).add("B600", 010).add("B1200", 011).add("B1800", 012).add("B2400", 013)
            .add("B4800", 014).add("B9600", 015).add("B19200", 016).add("B38400", 017).add("BOTHER", 010000)
            .add("B57600", 010001).add("B115200", 010002).add("B230400", 010003).add("B460800", 010004)
            .add("B500000", 010005).add("B576000", 010006).add("B921600", 010007).add("B1000000", 010010)
            .add("B1152000", 010011).add("B1500000", 010012).add("B2000000", 010013).add("B2500000", 010014)
            .add("B3000000", 010015).add("B3500000", 010016).add("B4000000", 010017).build());
    public static final long TERM_CBAUD = 010017;
    public static final Xlat TERM_CSIZE = reg(Xlat.values("term_csize", "CS???")
            .add("CS5", 0).add("CS6", 020).add("CS7", 040).add("CS8", 060).build());
    public static final Xlat TERM_CFLAGS = reg(Xlat.flags("term_cflags", "???")
            .add("CSTOPB", 0100).add("CREAD", 0200).add("PARENB", 0400).add("PARODD", 01000).add("HUPCL", 02000)
            .add("CLOCAL", 04000).add("CMSPAR", 010000000000L).add("CRTSCTS", 020000000000L).build());
    public static final Xlat TERM_LFLAGS = reg(Xlat.flags("term_lflags", "???")
            .add("ISIG", 01).add("ICANON", 02).add("XCASE", 04).add("ECHO", 010).add("ECHOE", 020).add("ECHOK", 040)
            .add("ECHONL", 0100).add("NOFLSH", 0200).add("IEXTEN", 0100000).add("ECHOCTL", 01000)
            .add("ECHOPRT", 02000).add("ECHOKE", 04000).add("FLUSHO", 010000).add("PENDIN", 040000)
            .add("TOSTOP", 0400).add("EXTPROC", 0200000).build());

    /** Filesystem types (statfs f_type), the common ones. */
    public static final Xlat FS_MAGICS = reg(Xlat.values("fs_magic", "???")
            .add("EXT2_SUPER_MAGIC", 0xef53).add("PROC_SUPER_MAGIC", 0x9fa0).add("TMPFS_MAGIC", 0x01021994)
            .add("SYSFS_MAGIC", 0x62656572).add("BTRFS_SUPER_MAGIC", 0x9123683eL).add("XFS_SUPER_MAGIC", 0x58465342)
            .add("OVERLAYFS_SUPER_MAGIC", 0x794c7630).add("CGROUP2_SUPER_MAGIC", 0x63677270)
            .add("CGROUP_SUPER_MAGIC", 0x27e0eb).add("DEVPTS_SUPER_MAGIC", 0x1cd1).add("NFS_SUPER_MAGIC", 0x6969)
            .add("FUSE_SUPER_MAGIC", 0x65735546).add("SELINUX_MAGIC", 0xf97cff8cL).add("SECURITYFS_MAGIC", 0x73636673)
            .add("DEBUGFS_MAGIC", 0x64626720).add("TRACEFS_MAGIC", 0x74726163).add("BPF_FS_MAGIC", 0xcafe4a11L)
            .add("SQUASHFS_MAGIC", 0x73717368).add("MSDOS_SUPER_MAGIC", 0x4d44).add("ISOFS_SUPER_MAGIC", 0x9660)
            .add("RAMFS_MAGIC", 0x858458f6L).add("HUGETLBFS_MAGIC", 0x958458f6L).add("MQUEUE_MAGIC", 0x19800202)
            .add("PIPEFS_MAGIC", 0x50495045).add("SOCKFS_MAGIC", 0x534f434b).add("ANON_INODE_FS_MAGIC", 0x09041934)
            .add("NSFS_MAGIC", 0x6e736673).add("V9FS_MAGIC", 0x01021997).add("EFIVARFS_MAGIC", 0xde5e81e4L)
            .add("AUTOFS_SUPER_MAGIC", 0x0187).add("CONFIGFS_MAGIC", 0x62656570).add("F2FS_SUPER_MAGIC", 0xf2f52010L)
            .build());
    /** statfs f_flags (mount flags as statfs reports them). */
    public static final Xlat STATFS_FLAGS = reg(Xlat.flags("statfs_flags", "ST_???")
            .add("ST_VALID", 0x20).add("ST_RDONLY", 1).add("ST_NOSUID", 2).add("ST_NODEV", 4).add("ST_NOEXEC", 8)
            .add("ST_SYNCHRONOUS", 0x10).add("ST_MANDLOCK", 0x40).add("ST_WRITE", 0x80).add("ST_APPEND", 0x100)
            .add("ST_IMMUTABLE", 0x200).add("ST_NOATIME", 0x400).add("ST_NODIRATIME", 0x800)
            .add("ST_RELATIME", 0x1000).add("ST_NOSYMFOLLOW", 0x2000).build());

    /** File type in the S_IFMT bits of a mode. */
    public static final Xlat FILE_TYPES = reg(Xlat.values("file_type", "S_IF???")
            .add("S_IFSOCK", 0140000).add("S_IFLNK", 0120000).add("S_IFREG", 0100000).add("S_IFBLK", 060000)
            .add("S_IFDIR", 040000).add("S_IFCHR", 020000).add("S_IFIFO", 010000).build());
    public static final int S_IFMT = 0170000;

    /** si_code values every signal shares (sent by kill, sigqueue, tkill, the kernel...). */
    public static final Xlat SI_CODES = reg(Xlat.values("si_code", "SI_???")
            .add("SI_USER", 0).add("SI_KERNEL", 0x80).add("SI_QUEUE", -1).add("SI_TIMER", -2)
            .add("SI_MESGQ", -3).add("SI_ASYNCIO", -4).add("SI_SIGIO", -5).add("SI_TKILL", -6)
            .add("SI_DETHREAD", -7).add("SI_ASYNCNL", -60).build());
    public static final Xlat CLD_CODES = reg(Xlat.values("cld_code", "CLD_???")
            .add("CLD_EXITED", 1).add("CLD_KILLED", 2).add("CLD_DUMPED", 3).add("CLD_TRAPPED", 4)
            .add("CLD_STOPPED", 5).add("CLD_CONTINUED", 6).build());
    public static final Xlat SEGV_CODES = reg(Xlat.values("segv_code", "SEGV_???")
            .add("SEGV_MAPERR", 1).add("SEGV_ACCERR", 2).add("SEGV_BNDERR", 3).add("SEGV_PKUERR", 4)
            .add("SEGV_ACCADI", 5).add("SEGV_ADIDERR", 6).add("SEGV_ADIPERR", 7).add("SEGV_MTEAERR", 8)
            .add("SEGV_MTESERR", 9).add("SEGV_CPERR", 10).build());
    public static final Xlat BUS_CODES = reg(Xlat.values("bus_code", "BUS_???")
            .add("BUS_ADRALN", 1).add("BUS_ADRERR", 2).add("BUS_OBJERR", 3).add("BUS_MCEERR_AR", 4)
            .add("BUS_MCEERR_AO", 5).build());
    public static final Xlat ILL_CODES = reg(Xlat.values("ill_code", "ILL_???")
            .add("ILL_ILLOPC", 1).add("ILL_ILLOPN", 2).add("ILL_ILLADR", 3).add("ILL_ILLTRP", 4)
            .add("ILL_PRVOPC", 5).add("ILL_PRVREG", 6).add("ILL_COPROC", 7).add("ILL_BADSTK", 8)
            .add("ILL_BADIADDR", 9).build());
    public static final Xlat FPE_CODES = reg(Xlat.values("fpe_code", "FPE_???")
            .add("FPE_INTDIV", 1).add("FPE_INTOVF", 2).add("FPE_FLTDIV", 3).add("FPE_FLTOVF", 4)
            .add("FPE_FLTUND", 5).add("FPE_FLTRES", 6).add("FPE_FLTINV", 7).add("FPE_FLTSUB", 8)
            .add("FPE_FLTUNK", 14).add("FPE_CONDTRAP", 15).build());
    public static final Xlat TRAP_CODES = reg(Xlat.values("trap_code", "TRAP_???")
            .add("TRAP_BRKPT", 1).add("TRAP_TRACE", 2).add("TRAP_BRANCH", 3).add("TRAP_HWBKPT", 4)
            .add("TRAP_UNK", 5).add("TRAP_PERF", 6).build());
    public static final Xlat POLL_CODES = reg(Xlat.values("poll_code", "POLL_???")
            .add("POLL_IN", 1).add("POLL_OUT", 2).add("POLL_MSG", 3).add("POLL_ERR", 4).add("POLL_PRI", 5)
            .add("POLL_HUP", 6).build());
    public static final Xlat SYS_CODES = reg(Xlat.values("sys_code", "SYS_???").add("SYS_SECCOMP", 1).build());

    /** A table by the name the syscall table uses ({@code open}, {@code whence}, ...). */
    public static Optional<Xlat> get(String name) {
        return Optional.ofNullable(TABLES.get(name));
    }

    /** Every registered table, in registration order. */
    public static Map<String, Xlat> all() {
        return java.util.Collections.unmodifiableMap(TABLES);
    }
}
