#include <iostream>
int main() { std::cerr << "houqin: not yet\n"; return 2; }
