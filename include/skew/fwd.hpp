// The customization points, and nothing that reads or writes JSON: a header of your own that
// describes its types or gives one a codec includes this, and pulls in neither fmt nor the JSON
// parser.
//
//   SKEW_DESCRIBE(Type, member...)      describe a struct (in the type's namespace, after it)
//   SKEW_ENUM(Enum, enumerator...)      describe an enum (the same)
//   skew::describe<T>                   the long form: aliases, defaults, optional members
//   skew::codec<T>                      a type carried as another (a Uuid as a string)
//   Old downcast(const New&), New upcast(Old&&)       version steps, found by ADL; or
//   skew::upcaster<Old, New>, skew::downcaster<New, Old>  specialized
//   skew::message<"type", V1, V2, ...>  a family: its type name and one payload per version
//   skew::family_format<Family>         the envelope layout a family is written in
//
// Reading, writing and dispatch are in <skew/skew.hpp>.
#pragma once

#include <skew/envelope/format.hpp>
#include <skew/model/codec.hpp>
#include <skew/model/describe.hpp>
#include <skew/model/message.hpp>
