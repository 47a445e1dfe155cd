// Thin wrappers over Linux system calls that Glibc's Swift module does not export.
#ifndef LETTERBOX_CSYSTEMSHIMS_H
#define LETTERBOX_CSYSTEMSHIMS_H

#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <stdint.h>

static inline int lb_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/// Registers `fd` once, edge-triggered, for input, output and peer half-close.
static inline int lb_epoll_add(int epfd, int fd, uint64_t token) {
    struct epoll_event ev;
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static inline int lb_epoll_del(int epfd, int fd) {
    struct epoll_event ev = {0};
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev);
}

/// One readiness event, flattened for Swift.
typedef struct {
    uint64_t token;
    int readable;
    int writable;
    int hangup;
} lb_event;

/// Waits for up to `max` events (at most 256) and flattens them into `out`.
static inline int lb_epoll_wait(int epfd, lb_event *out, int max, int timeout_ms) {
    struct epoll_event events[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, events, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        uint32_t e = events[i].events;
        out[i].token = events[i].data.u64;
        out[i].readable = (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
        out[i].writable = (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0;
        out[i].hangup = (e & (EPOLLHUP | EPOLLERR)) != 0;
    }
    return n;
}

static inline int lb_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

/* Declared here because Glibc only exposes it under _GNU_SOURCE, which would split Swift's view of its headers. */
extern int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

static inline int lb_accept(int fd) {
    return accept4(fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/// Bytes the C heap has handed out and not taken back (arenas and mmapped blocks), or -1 where
/// glibc's mallinfo2 (2.33+) is missing: for tests and measurements of what a peer makes us hold.
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
static inline long long lb_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return (long long)(info.uordblks + info.hblkhd);
}
#else
static inline long long lb_heap_in_use(void) { return -1; }
#endif

static inline int lb_msg_nosignal(void) { return MSG_NOSIGNAL; }
static inline int lb_msg_more(void) { return MSG_MORE; }
#endif

#endif
