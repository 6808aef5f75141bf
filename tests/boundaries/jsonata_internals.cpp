// Must fail to compile at the second include (see CMakeLists.txt here); the first shows that ingest's are found.
#include "ingest/expression.h"
#include "jsonata/ast.h"
