#ifndef SHAREBUS_CSPAWN_H
#define SHAREBUS_CSPAWN_H

#include <spawn.h>

/// posix_spawn_file_actions_addchdir_np: the child starts in `path`.
int sharebus_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `from` up.
int sharebus_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/// pipe2 with O_CLOEXEC: no other child spawned meanwhile inherits the pipe.
int sharebus_pipe_cloexec(int fds[2]);

#endif
