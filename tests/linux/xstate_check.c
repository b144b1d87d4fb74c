// SPDX-License-Identifier: GPL-2.0
/*
 * xstate-check: run inside the L2 Linux (tests/l1/run-linux.sh).  N
 * processes each hold their own values in YMM0-15 across the three places
 * where a hypervisor's FPU handling shows: system calls that reschedule
 * (sched_yield), a signal whose handler clobbers every YMM register (the
 * kernel's XSAVE into the signal frame and XRSTOR at sigreturn), and
 * migration between vCPUs (the parent moves the children from CPU to CPU
 * while they run).  The registers are loaded, the system calls made and
 * the registers stored inside one asm block, so nothing but the kernel and
 * the hypervisor can touch them in between.
 *
 *   xstate-check [PROCESSES [SECONDS]]     defaults 4 and 10
 *
 * Prints "xstate-check: OK <rounds> rounds" and exits 0, or names the
 * process, round and register that changed and exits 1; exits 2 when the
 * CPU offers no AVX (CPUID.1:ECX AVX and OSXSAVE).
 */
#include <cpuid.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NREGS	16

static void clobber_ymm(int sig)
{
	(void)sig;
	/* The handler runs on the interrupted registers: overwrite them all. */
	asm volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"
		     "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm2\n\t"
		     "vmovdqa %%ymm0, %%ymm3\n\tvmovdqa %%ymm0, %%ymm4\n\t"
		     "vmovdqa %%ymm0, %%ymm5\n\tvmovdqa %%ymm0, %%ymm6\n\t"
		     "vmovdqa %%ymm0, %%ymm7\n\tvmovdqa %%ymm0, %%ymm8\n\t"
		     "vmovdqa %%ymm0, %%ymm9\n\tvmovdqa %%ymm0, %%ymm10\n\t"
		     "vmovdqa %%ymm0, %%ymm11\n\tvmovdqa %%ymm0, %%ymm12\n\t"
		     "vmovdqa %%ymm0, %%ymm13\n\tvmovdqa %%ymm0, %%ymm14\n\t"
		     "vmovdqa %%ymm0, %%ymm15\n\t"
		     ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		     "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* Loads YMM0-15 from in, yields, signals itself, yields, stores them to out. */
static void round_trip(const uint8_t *in, uint8_t *out, pid_t pid)
{
	asm volatile("vmovdqu 0x000(%[in]), %%ymm0\n\tvmovdqu 0x020(%[in]), %%ymm1\n\t"
		     "vmovdqu 0x040(%[in]), %%ymm2\n\tvmovdqu 0x060(%[in]), %%ymm3\n\t"
		     "vmovdqu 0x080(%[in]), %%ymm4\n\tvmovdqu 0x0a0(%[in]), %%ymm5\n\t"
		     "vmovdqu 0x0c0(%[in]), %%ymm6\n\tvmovdqu 0x0e0(%[in]), %%ymm7\n\t"
		     "vmovdqu 0x100(%[in]), %%ymm8\n\tvmovdqu 0x120(%[in]), %%ymm9\n\t"
		     "vmovdqu 0x140(%[in]), %%ymm10\n\tvmovdqu 0x160(%[in]), %%ymm11\n\t"
		     "vmovdqu 0x180(%[in]), %%ymm12\n\tvmovdqu 0x1a0(%[in]), %%ymm13\n\t"
		     "vmovdqu 0x1c0(%[in]), %%ymm14\n\tvmovdqu 0x1e0(%[in]), %%ymm15\n\t"
		     "mov %[yield], %%eax\n\tsyscall\n\t"
		     "mov %[kill], %%eax\n\tmov %[pid], %%edi\n\tmov %[sig], %%esi\n\tsyscall\n\t"
		     "mov %[yield], %%eax\n\tsyscall\n\t"
		     "vmovdqu %%ymm0, 0x000(%[out])\n\tvmovdqu %%ymm1, 0x020(%[out])\n\t"
		     "vmovdqu %%ymm2, 0x040(%[out])\n\tvmovdqu %%ymm3, 0x060(%[out])\n\t"
		     "vmovdqu %%ymm4, 0x080(%[out])\n\tvmovdqu %%ymm5, 0x0a0(%[out])\n\t"
		     "vmovdqu %%ymm6, 0x0c0(%[out])\n\tvmovdqu %%ymm7, 0x0e0(%[out])\n\t"
		     "vmovdqu %%ymm8, 0x100(%[out])\n\tvmovdqu %%ymm9, 0x120(%[out])\n\t"
		     "vmovdqu %%ymm10, 0x140(%[out])\n\tvmovdqu %%ymm11, 0x160(%[out])\n\t"
		     "vmovdqu %%ymm12, 0x180(%[out])\n\tvmovdqu %%ymm13, 0x1a0(%[out])\n\t"
		     "vmovdqu %%ymm14, 0x1c0(%[out])\n\tvmovdqu %%ymm15, 0x1e0(%[out])\n\t"
		     :
		     : [in] "r" (in), [out] "r" (out), [pid] "r" (pid), [sig] "i" (SIGUSR1),
		       [yield] "i" (SYS_sched_yield), [kill] "i" (SYS_kill)
		     : "rax", "rcx", "rdx", "rdi", "rsi", "r11", "memory",
		       "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int child(int id, double seconds)
{
	uint8_t in[NREGS * 32], out[NREGS * 32];
	struct sigaction sa = { .sa_handler = clobber_ymm };
	double end = now() + seconds;
	pid_t pid = getpid();
	unsigned long round = 0;
	int i;

	sigaction(SIGUSR1, &sa, NULL);
	while (now() < end) {
		/* Distinct per process, register, byte and round. */
		for (i = 0; i < (int)sizeof(in); i++)
			in[i] = (uint8_t)(id * 131 + i * 7 + round * 13 + 1);
		memset(out, 0, sizeof(out));
		round_trip(in, out, pid);
		if (memcmp(in, out, sizeof(in))) {
			for (i = 0; i < (int)sizeof(in) && in[i] == out[i]; i++)
				;
			printf("xstate-check: FAIL process %d round %lu: YMM%d byte %d is %#x, want %#x\n",
			       id, round, i / 32, i % 32, out[i], in[i]);
			return 1;
		}
		round++;
	}
	printf("xstate-check: process %d: %lu rounds\n", id, round);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4, i, status, failed = 0;
	double seconds = argc > 2 ? atof(argv[2]) : 10, end;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int a, b, c, d, move = 0;
	pid_t pids[64];

	if (n < 1 || n > 64 || seconds <= 0) {
		fprintf(stderr, "usage: xstate-check [PROCESSES (1-64) [SECONDS]]\n");
		return 2;
	}
	__cpuid(1, a, b, c, d);
	if (!(c & (1U << 28)) || !(c & (1U << 27))) {
		printf("xstate-check: no AVX (CPUID.1:ECX %#x)\n", c);
		return 2;
	}
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(child(i, seconds));
	}
	/* Move the children between vCPUs while they run. */
	end = now() + seconds;
	while (ncpu > 1 && now() < end) {
		struct timespec pause = { 0, 5000000 };

		for (i = 0; i < n; i++) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET((i + move) % ncpu, &set);
			sched_setaffinity(pids[i], sizeof(set), &set);
		}
		move++;
		nanosleep(&pause, NULL);
	}
	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			printf("xstate-check: process %d ended with status %#x\n", i, status);
			failed = 1;
		}
	}
	if (!failed)
		printf("xstate-check: OK %d processes on %ld CPUs, %u moves\n", n, ncpu, move);
	return failed;
}
