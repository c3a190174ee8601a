/*
 * confine - descriptors, user, resource limits and the seccomp filter of
 * mugai-extract (confine.h)
 *
 * The filter (x_confine_seal()) kills the process on any system call it
 * does not name: a parser that was made to run code of a document's
 * choosing can still only read descriptor 0 and write 1 and 2. It
 * allows, on x86-64 and any other architecture libseccomp knows:
 *   read(0), recvmsg(0) (socket mode), write/writev(1 or 2);
 *   mmap and mprotect without PROT_EXEC, munmap, mremap, brk, madvise;
 *   close, lseek, fcntl F_GETFD/F_GETFL/F_GET_SEALS, fstat (and newfstatat
 *   or statx only with AT_EMPTY_PATH, i.e. on a descriptor);
 *   futex, clock_gettime, clock_getres, gettimeofday, time, getrandom,
 *   sched_yield, sched_getaffinity, sysinfo, uname, the get*id calls;
 *   rt_sigreturn, rt_sigprocmask, rt_sigaction, sigaltstack (the
 *   sanitizers' runtime), tgkill of itself (so abort() works),
 *   restart_syscall, exit, exit_group.
 * It refuses without killing what libraries try on their own and survive:
 * open, openat, openat2, creat, the path forms of stat and access,
 * readlink (EACCES), ioctl (ENOTTY: isatty()).
 * Everything else (socket, connect, execve, fork, clone, kill, ptrace,
 * mount, unlink, ...) is SIGSYS. With cn_debug the kill becomes a trap
 * whose handler names the call on stderr before exiting, for finding what
 * a new library version needs.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h>

#include "confine.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif

int
x_confine_fds(void)
{
	struct rlimit rl;
	int max;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return 0;
#endif
	max = getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY ? (int)MIN(rl.rlim_cur, 65536) : 65536;
	for (int fd = 3; fd < max; fd++)
		(void)close(fd);
	return 0;
}

int
x_confine_user(const struct confine_opts *o)
{
	const char *name = o->cn_user != NULL ? o->cn_user : "nobody";
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0 && getuid() != 0)
		return 0;
	if ((pw = getpwnam(name)) == NULL) {
		fprintf(stderr, "mugai-extract: no user %s to run as\n", name);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		fprintf(stderr, "mugai-extract: will not parse as root\n");
		return -1;
	}
	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		fprintf(stderr, "mugai-extract: cannot become %s: %s\n", name,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || geteuid() == 0) {
		fprintf(stderr, "mugai-extract: root privileges kept\n");
		return -1;
	}
	return 0;
}

static int
limit(int res, rlim_t soft, rlim_t hard, const char *what)
{
	struct rlimit rl = { soft, hard };

	if (setrlimit(res, &rl) != 0) {
		fprintf(stderr, "mugai-extract: setrlimit(%s): %s\n", what,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
x_confine_limits(const struct confine_opts *o)
{
	if (o->cn_cpu_seconds > 0 && limit(RLIMIT_CPU, o->cn_cpu_seconds,
	    o->cn_cpu_seconds + 1, "RLIMIT_CPU") != 0)
		return -1;
#ifndef UNDER_ASAN
	/* AddressSanitizer reserves terabytes of address space. */
	if (o->cn_max_memory > 0 && limit(RLIMIT_AS, o->cn_max_memory,
	    o->cn_max_memory, "RLIMIT_AS") != 0)
		return -1;
#endif
	/* No core file: it would hold the document. */
	if (limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE") != 0 ||
	    limit(RLIMIT_FSIZE, o->cn_max_output, o->cn_max_output,
	    "RLIMIT_FSIZE") != 0 ||
	    limit(RLIMIT_NPROC, 0, 0, "RLIMIT_NPROC") != 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		fprintf(stderr, "mugai-extract: PR_SET_DUMPABLE: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The debug trap: names the call, then exits as the kill would have. */
static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[64];
	int nr = si->si_syscall, n = 0;
	char digits[12];
	int d = 0;

	memcpy(msg, "mugai-extract: refused system call ", 35);
	n = 35;
	if (nr < 0)
		nr = 0;
	do {
		digits[d++] = (char)('0' + nr % 10);
		nr /= 10;
	} while (nr > 0 && d < (int)sizeof digits);
	while (d > 0)
		msg[n++] = digits[--d];
	msg[n++] = '\n';
	(void)!write(STDERR_FILENO, msg, (size_t)n);
	_exit(128 + SIGSYS);
}

/* One rule; a call this architecture does not have is skipped. */
static int
rule(scmp_filter_ctx ctx, guint32 action, const char *name,
    unsigned int argc, const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	if ((rc = seccomp_rule_add_array(ctx, action, nr, argc, args)) != 0) {
		fprintf(stderr, "mugai-extract: seccomp rule %s: %s\n", name,
		    strerror(-rc));
		return -1;
	}
	return 0;
}

static const char *const allowed[] = {
	"brk", "munmap", "mremap", "madvise", "close", "lseek", "fstat",
	"futex", "clock_gettime", "clock_getres", "gettimeofday", "time",
	"getrandom", "sched_yield", "sched_getaffinity", "sysinfo", "uname",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid",
	"getppid", "rt_sigreturn", "rt_sigprocmask", "rt_sigaction",
	"sigaltstack", "restart_syscall", "exit", "exit_group",
};

static const char *const refused_eacces[] = {
	"open", "openat", "openat2", "creat", "stat", "lstat", "access",
	"faccessat", "faccessat2", "readlink", "readlinkat",
};

static int
add_rules(scmp_filter_ctx ctx, const struct confine_opts *o)
{
	const struct scmp_arg_cmp fd0 = SCMP_A0(SCMP_CMP_EQ, 0);
	const struct scmp_arg_cmp fd1 = SCMP_A0(SCMP_CMP_EQ, 1);
	const struct scmp_arg_cmp fd2 = SCMP_A0(SCMP_CMP_EQ, 2);
	const struct scmp_arg_cmp noexec =
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	const struct scmp_arg_cmp self =
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid());
	const struct scmp_arg_cmp empty3 =
	    SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH);
	const struct scmp_arg_cmp path3 =
	    SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, 0);
	const struct scmp_arg_cmp empty2 =
	    SCMP_A2(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH);
	const struct scmp_arg_cmp path2 =
	    SCMP_A2(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, 0);
	const int fcntl_cmds[] = { F_GETFD, F_GETFL, F_GET_SEALS };
	int rc = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(allowed); i++)
		rc |= rule(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(refused_eacces); i++)
		rc |= rule(ctx, SCMP_ACT_ERRNO(EACCES), refused_eacces[i], 0,
		    NULL);
	rc |= rule(ctx, SCMP_ACT_ERRNO(ENOTTY), "ioctl", 0, NULL);
	rc |= rule(ctx, SCMP_ACT_ALLOW, "read", 1, &fd0);
	if (o->cn_socket)
		rc |= rule(ctx, SCMP_ACT_ALLOW, "recvmsg", 1, &fd0);
	rc |= rule(ctx, SCMP_ACT_ALLOW, "write", 1, &fd1);
	rc |= rule(ctx, SCMP_ACT_ALLOW, "write", 1, &fd2);
	rc |= rule(ctx, SCMP_ACT_ALLOW, "writev", 1, &fd1);
	rc |= rule(ctx, SCMP_ACT_ALLOW, "writev", 1, &fd2);
	rc |= rule(ctx, SCMP_ACT_ALLOW, "mmap", 1, &noexec);
	rc |= rule(ctx, SCMP_ACT_ALLOW, "mprotect", 1, &noexec);
	rc |= rule(ctx, SCMP_ACT_ALLOW, "tgkill", 1, &self);
	rc |= rule(ctx, SCMP_ACT_ALLOW, "newfstatat", 1, &empty3);
	rc |= rule(ctx, SCMP_ACT_ERRNO(EACCES), "newfstatat", 1, &path3);
	rc |= rule(ctx, SCMP_ACT_ALLOW, "statx", 1, &empty2);
	rc |= rule(ctx, SCMP_ACT_ERRNO(EACCES), "statx", 1, &path2);
	for (gsize i = 0; i < G_N_ELEMENTS(fcntl_cmds); i++) {
		const struct scmp_arg_cmp cmd =
		    SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)fcntl_cmds[i]);

		rc |= rule(ctx, SCMP_ACT_ALLOW, "fcntl", 1, &cmd);
	}
	return rc;
}

int
x_confine_seal(const struct confine_opts *o)
{
	guint32 deny = o->cn_debug ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	int rc;

	/* 0, 1, 2 and the memfd of a request; nothing is opened later. */
	if (limit(RLIMIT_NOFILE, 8, 8, "RLIMIT_NOFILE") != 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		fprintf(stderr, "mugai-extract: PR_SET_NO_NEW_PRIVS: %s\n",
		    strerror(errno));
		return -1;
	}
	if (o->cn_debug) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_sigsys;
		sa.sa_flags = SA_SIGINFO;
		(void)sigaction(SIGSYS, &sa, NULL);
	}
	if ((ctx = seccomp_init(deny)) == NULL) {
		fprintf(stderr, "mugai-extract: seccomp_init failed\n");
		return -1;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, deny);
	if (rc == 0 && seccomp_api_get() >= 2)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0)
		rc = add_rules(ctx, o) == 0 ? 0 : -EINVAL;
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		fprintf(stderr, "mugai-extract: no seccomp filter: %s\n",
		    strerror(-rc));
		return -1;
	}
	return 0;
}
