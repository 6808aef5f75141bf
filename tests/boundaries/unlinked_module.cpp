// Must fail to compile at the second include (see CMakeLists.txt here); the first shows that core's are found.
#include "core/event.h"
#include "store/store.h"
