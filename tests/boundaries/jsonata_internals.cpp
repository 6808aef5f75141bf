// Must not compile: see CMakeLists.txt here.
#include "ingest/expression.h"
#include "jsonata/ast.h"
