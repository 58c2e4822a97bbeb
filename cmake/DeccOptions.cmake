# Warnings, sanitizers and hardening shared by every target.
add_compile_options(-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
                    -Wformat=2 -Wvla -Wno-unused-parameter -fno-strict-aliasing
                    -fstack-protector-strong -fvisibility=hidden)
add_compile_definitions(_GNU_SOURCE)
if(DECC_WERROR)
  add_compile_options(-Werror)
endif()
if(DECC_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(DECC_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "DECC_FUZZ needs clang (CC=clang)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
