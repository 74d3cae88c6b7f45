// Context for doctest test cases over the send-email family.
#include <skew/evolve/testing.hpp>
#include <skew/skew.hpp>

#include <doctest/doctest.h>

#include "doc_family.hpp"

// snippet
