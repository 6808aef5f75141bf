// Must not compile: see CMakeLists.txt here.
#include "core/event.h"
#include "store/store.h"
