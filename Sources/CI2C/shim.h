// libi2c has no pkg-config file; its i2c_smbus_* calls return -errno rather than setting errno.
#include <linux/i2c-dev.h>
#include <i2c/smbus.h>
#include <sys/ioctl.h>
#include <errno.h>

// ioctl is variadic, which Swift cannot call: select the peripheral a descriptor talks to.
// Returns 0, or -errno.
static inline int brew_i2c_select(int fd, int address) {
    return ioctl(fd, I2C_SLAVE, address) < 0 ? -errno : 0;
}

// I2C_FUNCS: what the adapter can do (SMBus byte/word transfers), or -errno.
static inline int brew_i2c_functions(int fd, unsigned long *functions) {
    return ioctl(fd, I2C_FUNCS, functions) < 0 ? -errno : 0;
}
