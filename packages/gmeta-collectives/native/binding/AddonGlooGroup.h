// The Gloo process group as a JS class, and its async factory.
#pragma once

#include <napi.h>

#include "../core/gloo_group.h"
#include "AddonGroup.h"

namespace gmeta {

Napi::Value CreateGlooGroup(const Napi::CallbackInfo& info);

}  // namespace gmeta
