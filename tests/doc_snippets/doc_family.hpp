// The message family most snippets of the guides use: send-email, versions 1 and 2, as the
// examples define it (examples/send_email.hpp), named at global scope as the snippets name it.
#pragma once

#include "send_email.hpp"

using mail::SendEmail;
using mail::SendEmailV1;
using mail::SendEmailV2;
