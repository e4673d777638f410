// Anchor translation unit so that tern_util always has one object.
#include "util/seq.h"
