package dev.jpoline.api;

/**
 * The x86-64 syscall table as data, one syscall a line:
 * {@code number name classes return args...}.
 *
 * <ul>
 *   <li>classes: comma-separated {@link SyscallClass} names in lower case, or {@code -}. They follow
 *       strace's x86-64 table (src/linux/x86_64/syscallent.h and the common table for 424 and up).
 *   <li>return: {@code dec}, {@code hex}, {@code oct}, {@code fd} or {@code none} ({@link ReturnKind}).
 *   <li>args: one {@link ArgSpec} each, in register order; their count is the count strace decodes.
 * </ul>
 *
 * <p>Numbers follow arch/x86/entry/syscalls/syscall_64.tbl; 335..423 are unassigned on x86-64 (kept
 * free to line up with the generic table), and 451..469 postdate the Debian 12 kernel headers.
 * Adding a syscall is adding a line here.
 */
final class SyscallData {
    private SyscallData() {
    }

    static final String X86_64 = """
0   read                    desc                    dec  FD BUFFER_OUT SIZE
1   write                   desc                    dec  FD BUFFER_IN(2) SIZE
2   open                    desc,file               fd   PATH FLAGS(open) MODE
3   close                   desc                    dec  FD
4   stat                    file,stat,stat_like     dec  PATH STAT
5   fstat                   desc,fstat,stat_like    dec  FD STAT
6   lstat                   file,lstat,stat_like    dec  PATH STAT
7   poll                    desc                    dec  POLLFDS UINT INT
8   lseek                   desc                    dec  FD OFFSET ENUM(whence)
9   mmap                    desc,memory             hex  POINTER SIZE FLAGS(prot) FLAGS(mmap) FD HEX
10  mprotect                memory                  dec  POINTER SIZE FLAGS(prot)
11  munmap                  memory                  dec  POINTER SIZE
12  brk                     memory                  hex  POINTER
13  rt_sigaction            signal                  dec  SIGNAL SIGACTION >SIGACTION SIZE
14  rt_sigprocmask          signal                  dec  ENUM(sigprocmask_how) SIGSET >SIGSET SIZE
15  rt_sigreturn            signal                  dec
16  ioctl                   desc                    dec  FD ENUM(ioctl) POINTER(peek)
17  pread64                 desc                    dec  FD BUFFER_OUT SIZE OFFSET
18  pwrite64                desc                    dec  FD BUFFER_IN(2) SIZE OFFSET
19  readv                   desc                    dec  FD >IOVEC INT
20  writev                  desc                    dec  FD IOVEC INT
21  access                  file                    dec  PATH FLAGS(access)
22  pipe                    desc                    dec  FD_PAIR
23  select                  desc                    dec  INT FDSET FDSET FDSET TIMEVAL
24  sched_yield             -                       dec
25  mremap                  memory                  hex  POINTER SIZE SIZE FLAGS(mremap) POINTER
26  msync                   memory                  dec  POINTER SIZE FLAGS(msync)
27  mincore                 memory                  dec  POINTER SIZE >POINTER
28  madvise                 memory                  dec  POINTER SIZE ENUM(madvise)
29  shmget                  ipc                     dec  HEX SIZE HEX
30  shmat                   ipc,memory              hex  INT POINTER HEX
31  shmctl                  ipc                     dec  INT INT POINTER
32  dup                     desc                    fd   FD
33  dup2                    desc                    fd   FD FD
34  pause                   signal                  dec
35  nanosleep               -                       dec  TIMESPEC >TIMESPEC(remaining)
36  getitimer               -                       dec  ENUM(itimer) >ITIMERVAL
37  alarm                   -                       dec  UINT
38  setitimer               -                       dec  ENUM(itimer) ITIMERVAL >ITIMERVAL
39  getpid                  pure                    dec
40  sendfile                desc,network            dec  FD FD OFFSET_PTR SIZE
41  socket                  network                 fd   ENUM(address_family) FLAGS(socket_type) INT
42  connect                 network                 dec  FD SOCKADDR(2) UINT
43  accept                  network                 fd   FD >SOCKADDR >SOCKLEN_PTR
44  sendto                  network                 dec  FD BUFFER_IN(2) SIZE FLAGS(msg) SOCKADDR(5) UINT
45  recvfrom                network                 dec  FD BUFFER_OUT SIZE FLAGS(msg) >SOCKADDR >SOCKLEN_PTR
46  sendmsg                 network                 dec  FD MSGHDR FLAGS(msg)
47  recvmsg                 network                 dec  FD >MSGHDR FLAGS(msg)
48  shutdown                network                 dec  FD ENUM(shutdown)
49  bind                    network                 dec  FD SOCKADDR(2) UINT
50  listen                  network                 dec  FD INT
51  getsockname             network                 dec  FD >SOCKADDR >SOCKLEN_PTR
52  getpeername             network                 dec  FD >SOCKADDR >SOCKLEN_PTR
53  socketpair              network                 dec  ENUM(address_family) FLAGS(socket_type) INT FD_PAIR
54  setsockopt              network                 dec  FD ENUM(socket_level) INT POINTER(4) UINT
55  getsockopt              network                 dec  FD ENUM(socket_level) INT >POINTER(peek) >INT_PTR
56  clone                   process                 dec  FLAGS(clone) POINTER POINTER POINTER HEX
57  fork                    process                 dec
58  vfork                   process                 dec
59  execve                  file,process            dec  PATH STRING_ARRAY ENV_ARRAY
60  exit                    process                 none INT
61  wait4                   process                 dec  PID WAIT_STATUS FLAGS(wait) RUSAGE
62  kill                    signal,process          dec  PID SIGNAL
63  uname                   -                       dec  UTSNAME
64  semget                  ipc                     dec  HEX INT HEX
65  semop                   ipc                     dec  INT POINTER UINT
66  semctl                  ipc                     dec  INT INT INT HEX
67  shmdt                   ipc,memory              dec  POINTER
68  msgget                  ipc                     dec  HEX HEX
69  msgsnd                  ipc                     dec  INT POINTER SIZE HEX
70  msgrcv                  ipc                     dec  INT >POINTER SIZE LONG HEX
71  msgctl                  ipc                     dec  INT INT POINTER
72  fcntl                   desc                    dec  FD ENUM(fcntl) HEX
73  flock                   desc                    dec  FD FLAGS(flock)
74  fsync                   desc                    dec  FD
75  fdatasync               desc                    dec  FD
76  truncate                file                    dec  PATH OFFSET
77  ftruncate               desc                    dec  FD OFFSET
78  getdents                desc                    dec  FD DIRENTS UINT
79  getcwd                  file                    dec  >PATH SIZE
80  chdir                   file                    dec  PATH
81  fchdir                  desc                    dec  FD
82  rename                  file                    dec  PATH PATH
83  mkdir                   file                    dec  PATH MODE
84  rmdir                   file                    dec  PATH
85  creat                   desc,file               fd   PATH MODE
86  link                    file                    dec  PATH PATH
87  unlink                  file                    dec  PATH
88  symlink                 file                    dec  PATH PATH
89  readlink                file                    dec  PATH BUFFER_OUT SIZE
90  chmod                   file                    dec  PATH MODE
91  fchmod                  desc                    dec  FD MODE
92  chown                   file                    dec  PATH UID GID
93  fchown                  desc                    dec  FD UID GID
94  lchown                  file                    dec  PATH UID GID
95  umask                   -                       oct  UMASK
96  gettimeofday            clock                   dec  >TIMEVAL >POINTER
97  getrlimit               -                       dec  ENUM(rlimit) >RLIMIT
98  getrusage               -                       dec  ENUM(rusage_who) RUSAGE
99  sysinfo                 -                       dec  SYSINFO
100 times                   -                       dec  >POINTER
101 ptrace                  -                       dec  ENUM(ptrace) PID POINTER >POINTER(ptrace)
102 getuid                  creds,pure              dec
103 syslog                  -                       dec  INT BUFFER_OUT INT
104 getgid                  creds,pure              dec
105 setuid                  creds                   dec  UID
106 setgid                  creds                   dec  GID
107 geteuid                 creds,pure              dec
108 getegid                 creds,pure              dec
109 setpgid                 -                       dec  PID PID
110 getppid                 pure                    dec
111 getpgrp                 pure                    dec
112 setsid                  -                       dec
113 setreuid                creds                   dec  UID UID
114 setregid                creds                   dec  GID GID
115 getgroups               creds                   dec  INT >GID_ARRAY
116 setgroups               creds                   dec  INT GID_ARRAY(0)
117 setresuid               creds                   dec  UID UID UID
118 getresuid               creds                   dec  >INT_PTR >INT_PTR >INT_PTR
119 setresgid               creds                   dec  GID GID GID
120 getresgid               creds                   dec  >INT_PTR >INT_PTR >INT_PTR
121 getpgid                 -                       dec  PID
122 setfsuid                creds                   dec  UID
123 setfsgid                creds                   dec  GID
124 getsid                  -                       dec  PID
125 capget                  creds                   dec  POINTER >POINTER
126 capset                  creds                   dec  POINTER POINTER
127 rt_sigpending           signal                  dec  >SIGSET SIZE
128 rt_sigtimedwait         signal                  dec  SIGSET >SIGINFO TIMESPEC SIZE
129 rt_sigqueueinfo         signal,process          dec  PID SIGNAL SIGINFO
130 rt_sigsuspend           signal                  dec  SIGSET SIZE
131 sigaltstack             signal                  dec  STACK >STACK
132 utime                   file                    dec  PATH POINTER
133 mknod                   file                    dec  PATH MODE DEV
134 uselib                  file                    dec  PATH
135 personality             -                       hex  HEX
136 ustat                   statfs_like             dec  DEV >POINTER
137 statfs                  file,statfs,statfs_like dec  PATH STATFS
138 fstatfs                 desc,fstatfs,statfs_like dec FD STATFS
139 sysfs                   -                       dec  INT HEX HEX
140 getpriority             -                       dec  ENUM(priority_which) INT
141 setpriority             -                       dec  ENUM(priority_which) INT INT
142 sched_setparam          -                       dec  PID POINTER
143 sched_getparam          -                       dec  PID >POINTER
144 sched_setscheduler      -                       dec  PID ENUM(sched_policy) POINTER
145 sched_getscheduler      -                       dec  PID
146 sched_get_priority_max  -                       dec  ENUM(sched_policy)
147 sched_get_priority_min  -                       dec  ENUM(sched_policy)
148 sched_rr_get_interval   -                       dec  PID >TIMESPEC
149 mlock                   memory                  dec  POINTER SIZE
150 munlock                 memory                  dec  POINTER SIZE
151 mlockall                memory                  dec  FLAGS(mlockall)
152 munlockall              memory                  dec
153 vhangup                 -                       dec
154 modify_ldt              -                       dec  INT POINTER ULONG
155 pivot_root              file                    dec  PATH PATH
156 _sysctl                 -                       dec  POINTER
157 prctl                   creds                   dec  ENUM(prctl) HEX HEX HEX HEX
158 arch_prctl              -                       dec  ENUM(arch_prctl) HEX
159 adjtimex                clock                   dec  POINTER
160 setrlimit               -                       dec  ENUM(rlimit) RLIMIT
161 chroot                  file                    dec  PATH
162 sync                    -                       dec
163 acct                    file                    dec  PATH
164 settimeofday            clock                   dec  TIMEVAL POINTER
165 mount                   file                    dec  STRING PATH STRING HEX POINTER
166 umount2                 file                    dec  PATH FLAGS(umount)
167 swapon                  file                    dec  PATH HEX
168 swapoff                 file                    dec  PATH
169 reboot                  -                       dec  HEX HEX HEX POINTER
170 sethostname             -                       dec  BUFFER_IN(1) SIZE
171 setdomainname           -                       dec  BUFFER_IN(1) SIZE
172 iopl                    -                       dec  INT
173 ioperm                  -                       dec  HEX ULONG INT
174 create_module           -                       dec  STRING SIZE
175 init_module             -                       dec  POINTER ULONG STRING
176 delete_module           -                       dec  STRING HEX
177 get_kernel_syms         -                       dec  POINTER
178 query_module            -                       dec  STRING INT POINTER SIZE POINTER
179 quotactl                file                    dec  HEX STRING INT POINTER
180 nfsservctl              -                       dec  INT POINTER POINTER
181 getpmsg                 network                 dec  HEX HEX HEX HEX HEX
182 putpmsg                 network                 dec  HEX HEX HEX HEX HEX
183 afs_syscall             -                       dec  HEX HEX HEX HEX HEX
184 tuxcall                 -                       dec  HEX HEX HEX
185 security                -                       dec  HEX HEX HEX
186 gettid                  pure                    dec
187 readahead               desc                    dec  FD OFFSET SIZE
188 setxattr                file                    dec  PATH STRING BUFFER_IN(3) SIZE FLAGS(xattr)
189 lsetxattr               file                    dec  PATH STRING BUFFER_IN(3) SIZE FLAGS(xattr)
190 fsetxattr               desc                    dec  FD STRING BUFFER_IN(3) SIZE FLAGS(xattr)
191 getxattr                file                    dec  PATH STRING BUFFER_OUT SIZE
192 lgetxattr               file                    dec  PATH STRING BUFFER_OUT SIZE
193 fgetxattr               desc                    dec  FD STRING BUFFER_OUT SIZE
194 listxattr               file                    dec  PATH BUFFER_OUT SIZE
195 llistxattr              file                    dec  PATH BUFFER_OUT SIZE
196 flistxattr              desc                    dec  FD BUFFER_OUT SIZE
197 removexattr             file                    dec  PATH STRING
198 lremovexattr            file                    dec  PATH STRING
199 fremovexattr            desc                    dec  FD STRING
200 tkill                   signal,process          dec  PID SIGNAL
201 time                    clock                   dec  >POINTER
202 futex                   -                       dec  POINTER ENUM(futex_cmd) UINT TIMESPEC POINTER UINT
203 sched_setaffinity       -                       dec  PID SIZE CPU_SET(1)
204 sched_getaffinity       -                       dec  PID SIZE >CPU_SET
205 set_thread_area         -                       dec  POINTER
206 io_setup                memory                  dec  UINT >POINTER
207 io_destroy              memory                  dec  HEX
208 io_getevents            -                       dec  HEX LONG LONG >POINTER TIMESPEC
209 io_submit               -                       dec  HEX LONG POINTER
210 io_cancel               -                       dec  HEX POINTER >POINTER
211 get_thread_area         -                       dec  POINTER
212 lookup_dcookie          -                       dec  HEX BUFFER_OUT SIZE
213 epoll_create            desc                    fd   INT
214 epoll_ctl_old           -                       dec  HEX HEX HEX HEX
215 epoll_wait_old          -                       dec  HEX HEX HEX HEX
216 remap_file_pages        memory                  dec  POINTER SIZE FLAGS(prot) SIZE FLAGS(mmap)
217 getdents64              desc                    dec  FD DIRENTS UINT
218 set_tid_address         -                       dec  POINTER
219 restart_syscall         -                       dec
220 semtimedop              ipc                     dec  INT POINTER UINT TIMESPEC
221 fadvise64               desc                    dec  FD OFFSET SIZE ENUM(fadvise)
222 timer_create            -                       dec  ENUM(clockid) SIGEVENT >INT_PTR
223 timer_settime           -                       dec  INT FLAGS(timer) ITIMERSPEC >ITIMERSPEC
224 timer_gettime           -                       dec  INT >ITIMERSPEC
225 timer_getoverrun        -                       dec  INT
226 timer_delete            -                       dec  INT
227 clock_settime           clock                   dec  ENUM(clockid) TIMESPEC
228 clock_gettime           clock                   dec  ENUM(clockid) >TIMESPEC
229 clock_getres            clock                   dec  ENUM(clockid) >TIMESPEC
230 clock_nanosleep         -                       dec  ENUM(clockid) FLAGS(timer) TIMESPEC >TIMESPEC(remaining)
231 exit_group              process                 none INT
232 epoll_wait              desc                    dec  FD EPOLL_EVENTS INT INT
233 epoll_ctl               desc                    dec  FD ENUM(epoll_ctl) FD EPOLL_EVENT
234 tgkill                  signal,process          dec  PID PID SIGNAL
235 utimes                  file                    dec  PATH POINTER
236 vserver                 -                       dec  HEX HEX HEX HEX HEX
237 mbind                   memory                  dec  POINTER ULONG FLAGS(mpol_mode) NODEMASK(4) ULONG FLAGS(mbind)
238 set_mempolicy           memory                  dec  FLAGS(mpol_mode) NODEMASK(2) ULONG
239 get_mempolicy           memory                  dec  >INT_PTR(mpol_modes) >NODEMASK(2) ULONG POINTER FLAGS(get_mempolicy)
240 mq_open                 desc                    fd   STRING FLAGS(open) MODE POINTER
241 mq_unlink               -                       dec  STRING
242 mq_timedsend            desc                    dec  FD BUFFER_IN(2) SIZE UINT TIMESPEC
243 mq_timedreceive         desc                    dec  FD BUFFER_OUT SIZE >INT_PTR TIMESPEC
244 mq_notify               desc                    dec  FD POINTER
245 mq_getsetattr           desc                    dec  FD POINTER >POINTER
246 kexec_load              -                       dec  HEX ULONG POINTER HEX
247 waitid                  process                 dec  ENUM(idtype) INT >SIGINFO FLAGS(wait) RUSAGE
248 add_key                 -                       dec  STRING STRING BUFFER_IN(3) SIZE INT
249 request_key             -                       dec  STRING STRING STRING INT
250 keyctl                  -                       dec  INT HEX HEX HEX HEX
251 ioprio_set              -                       dec  INT INT INT
252 ioprio_get              -                       dec  INT INT
253 inotify_init            desc                    fd
254 inotify_add_watch       desc,file               dec  FD PATH FLAGS(inotify)
255 inotify_rm_watch        desc                    dec  FD INT
256 migrate_pages           memory                  dec  PID ULONG NODEMASK(1) NODEMASK(1)
257 openat                  desc,file               fd   DIRFD PATH FLAGS(open) MODE
258 mkdirat                 desc,file               dec  DIRFD PATH MODE
259 mknodat                 desc,file               dec  DIRFD PATH MODE DEV
260 fchownat                desc,file               dec  DIRFD PATH UID GID FLAGS(at)
261 futimesat               desc,file               dec  DIRFD PATH POINTER
262 newfstatat              desc,file,fstat,stat_like dec DIRFD PATH STAT FLAGS(at)
263 unlinkat                desc,file               dec  DIRFD PATH FLAGS(at)
264 renameat                desc,file               dec  DIRFD PATH DIRFD PATH
265 linkat                  desc,file               dec  DIRFD PATH DIRFD PATH FLAGS(at)
266 symlinkat               desc,file               dec  PATH DIRFD PATH
267 readlinkat              desc,file               dec  DIRFD PATH BUFFER_OUT SIZE
268 fchmodat                desc,file               dec  DIRFD PATH MODE
269 faccessat               desc,file               dec  DIRFD PATH FLAGS(access)
270 pselect6                desc                    dec  INT FDSET FDSET FDSET TIMESPEC SIGSET_PACK
271 ppoll                   desc                    dec  POLLFDS UINT TIMESPEC SIGSET SIZE
272 unshare                 -                       dec  FLAGS(unshare)
273 set_robust_list         -                       dec  POINTER SIZE
274 get_robust_list         -                       dec  PID >POINTER >POINTER
275 splice                  desc                    dec  FD OFFSET_PTR(entry) FD OFFSET_PTR(entry) SIZE FLAGS(splice)
276 tee                     desc                    dec  FD FD SIZE FLAGS(splice)
277 sync_file_range         desc                    dec  FD OFFSET OFFSET HEX
278 vmsplice                desc                    dec  FD IOVEC ULONG FLAGS(splice)
279 move_pages              memory                  dec  PID ULONG POINTER POINTER >POINTER HEX
280 utimensat               desc,file               dec  DIRFD PATH TIMESPEC_PAIR FLAGS(at)
281 epoll_pwait             desc                    dec  FD EPOLL_EVENTS INT INT SIGSET SIZE
282 signalfd                desc,signal             fd   FD SIGSET SIZE
283 timerfd_create          desc                    fd   ENUM(clockid) FLAGS(timerfd)
284 eventfd                 desc                    fd   UINT
285 fallocate               desc                    dec  FD FLAGS(fallocate) OFFSET OFFSET
286 timerfd_settime         desc                    dec  FD FLAGS(timerfd_settime) ITIMERSPEC >ITIMERSPEC
287 timerfd_gettime         desc                    dec  FD >ITIMERSPEC
288 accept4                 network                 fd   FD >SOCKADDR >SOCKLEN_PTR FLAGS(socket_flags)
289 signalfd4               desc,signal             fd   FD SIGSET SIZE FLAGS(signalfd)
290 eventfd2                desc                    fd   UINT FLAGS(eventfd)
291 epoll_create1           desc                    fd   FLAGS(epoll_create)
292 dup3                    desc                    fd   FD FD FLAGS(dup3)
293 pipe2                   desc                    dec  FD_PAIR FLAGS(pipe2)
294 inotify_init1           desc                    fd   FLAGS(inotify_init)
295 preadv                  desc                    dec  FD >IOVEC INT OFFSET
296 pwritev                 desc                    dec  FD IOVEC INT OFFSET
297 rt_tgsigqueueinfo       process,signal          dec  PID PID SIGNAL SIGINFO
298 perf_event_open         desc                    fd   POINTER PID INT FD HEX
299 recvmmsg                network                 dec  FD POINTER UINT FLAGS(msg) TIMESPEC
300 fanotify_init           desc                    fd   HEX HEX
301 fanotify_mark           desc,file               dec  FD HEX HEX DIRFD PATH
302 prlimit64               -                       dec  PID ENUM(rlimit) RLIMIT >RLIMIT
303 name_to_handle_at       desc,file               dec  DIRFD PATH POINTER >INT_PTR FLAGS(at)
304 open_by_handle_at       desc                    fd   FD POINTER FLAGS(open)
305 clock_adjtime           clock                   dec  ENUM(clockid) POINTER
306 syncfs                  desc                    dec  FD
307 sendmmsg                network                 dec  FD POINTER UINT FLAGS(msg)
308 setns                   desc                    dec  FD FLAGS(unshare)
309 getcpu                  -                       dec  >INT_PTR >INT_PTR POINTER
310 process_vm_readv        -                       dec  PID >IOVEC ULONG IOVEC(remote) ULONG HEX
311 process_vm_writev       -                       dec  PID IOVEC ULONG IOVEC(remote) ULONG HEX
312 kcmp                    -                       dec  PID PID INT HEX HEX
313 finit_module            desc                    dec  FD STRING HEX
314 sched_setattr           -                       dec  PID POINTER HEX
315 sched_getattr           -                       dec  PID >POINTER UINT HEX
316 renameat2               desc,file               dec  DIRFD PATH DIRFD PATH FLAGS(rename)
317 seccomp                 -                       dec  INT HEX POINTER
318 getrandom               -                       dec  BUFFER_OUT SIZE FLAGS(getrandom)
319 memfd_create            desc                    fd   STRING FLAGS(memfd)
320 kexec_file_load         desc                    dec  FD FD ULONG STRING HEX
321 bpf                     desc                    dec  INT POINTER UINT
322 execveat                desc,file,process       dec  DIRFD PATH STRING_ARRAY ENV_ARRAY FLAGS(at)
323 userfaultfd             desc                    fd   FLAGS(userfaultfd)
324 membarrier              -                       dec  INT HEX INT
325 mlock2                  memory                  dec  POINTER SIZE HEX
326 copy_file_range         desc                    dec  FD OFFSET_PTR(entry) FD OFFSET_PTR(entry) SIZE HEX
327 preadv2                 desc                    dec  FD >IOVEC INT OFFSET HEX HEX
328 pwritev2                desc                    dec  FD IOVEC INT OFFSET HEX HEX
329 pkey_mprotect           memory                  dec  POINTER SIZE FLAGS(prot) INT
330 pkey_alloc              -                       dec  HEX HEX
331 pkey_free               -                       dec  INT
332 statx                   desc,file,fstat,stat_like dec DIRFD PATH FLAGS(at_statx) FLAGS(statx_mask) STATX
333 io_pgetevents           -                       dec  HEX LONG LONG >POINTER TIMESPEC POINTER
334 rseq                    -                       dec  POINTER HEX HEX HEX
424 pidfd_send_signal       desc,signal,process     dec  FD SIGNAL SIGINFO HEX
425 io_uring_setup          desc                    fd   UINT POINTER
426 io_uring_enter          desc,signal             dec  FD UINT UINT HEX SIGSET SIZE
427 io_uring_register       desc,memory             dec  FD UINT POINTER UINT
428 open_tree               desc,file               fd   DIRFD PATH HEX
429 move_mount              desc,file               dec  DIRFD PATH DIRFD PATH HEX
430 fsopen                  desc                    fd   STRING HEX
431 fsconfig                desc,file               dec  FD UINT STRING POINTER INT
432 fsmount                 desc                    fd   FD HEX HEX
433 fspick                  desc,file               fd   DIRFD PATH HEX
434 pidfd_open              desc                    fd   PID HEX
435 clone3                  process                 dec  CLONE_ARGS SIZE
436 close_range             -                       dec  UINT UINT FLAGS(close_range)
437 openat2                 desc,file               fd   DIRFD PATH OPEN_HOW SIZE
438 pidfd_getfd             desc                    fd   FD FD HEX
439 faccessat2              desc,file               dec  DIRFD PATH FLAGS(access) FLAGS(faccessat)
440 process_madvise         desc                    dec  FD IOVEC(remote) SIZE ENUM(madvise) HEX
441 epoll_pwait2            desc                    dec  FD EPOLL_EVENTS INT TIMESPEC SIGSET SIZE
442 mount_setattr           desc,file               dec  DIRFD PATH HEX POINTER SIZE
443 quotactl_fd             desc                    dec  FD HEX HEX POINTER
444 landlock_create_ruleset desc                    fd   POINTER SIZE HEX
445 landlock_add_rule       desc                    dec  FD INT POINTER HEX
446 landlock_restrict_self  desc                    dec  FD HEX
447 memfd_secret            desc                    fd   HEX
448 process_mrelease        desc                    dec  FD HEX
449 futex_waitv             -                       dec  POINTER UINT HEX TIMESPEC ENUM(clockid)
450 set_mempolicy_home_node memory                  dec  POINTER ULONG ULONG HEX
451 cachestat               desc                    dec  FD POINTER >POINTER HEX
452 fchmodat2               desc,file               dec  DIRFD PATH MODE FLAGS(at)
453 map_shadow_stack        memory                  hex  POINTER SIZE HEX
454 futex_wake              -                       dec  POINTER HEX INT HEX
455 futex_wait              -                       dec  POINTER HEX HEX HEX TIMESPEC ENUM(clockid)
456 futex_requeue           -                       dec  POINTER HEX INT INT
457 statmount               -                       dec  POINTER >POINTER SIZE HEX
458 listmount               -                       dec  POINTER >POINTER SIZE HEX
459 lsm_get_self_attr       -                       dec  UINT >POINTER POINTER HEX
460 lsm_set_self_attr       -                       dec  UINT POINTER SIZE HEX
461 lsm_list_modules        -                       dec  >POINTER POINTER HEX
462 mseal                   memory                  dec  POINTER SIZE HEX
463 setxattrat              desc,file               dec  DIRFD PATH FLAGS(at) STRING POINTER SIZE
464 getxattrat              desc,file               dec  DIRFD PATH FLAGS(at) STRING POINTER SIZE
465 listxattrat             desc,file               dec  DIRFD PATH FLAGS(at) BUFFER_OUT SIZE
466 removexattrat           desc,file               dec  DIRFD PATH FLAGS(at) STRING
467 open_tree_attr          desc,file               fd   DIRFD PATH HEX POINTER SIZE
468 file_getattr            desc,file               dec  DIRFD PATH >POINTER SIZE FLAGS(at)
469 file_setattr            desc,file               dec  DIRFD PATH POINTER SIZE FLAGS(at)
""";
}
